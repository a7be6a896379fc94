import type {
  ChatFrame,
  HistoryFrame,
  JoinedFrame,
  MembershipEntry,
  ModerationEvent,
  NotifyLevel,
  PageEvent,
  ServerFrameOf,
  User,
} from "@chatroom/protocol";
import { DEFAULT_NOTIFY_LEVEL } from "@chatroom/protocol";
import { mentionsUser } from "../notifications/room-news";
import type { Outbox } from "../outbox/outbox";
import type { ConnectionState } from "../transport/connection-machine";
import type { RoomAccessState } from "./access";
import { type FrameHandlers, type IncomingFrame, routeFrame } from "./frame-router";
import type { Taken } from "./history-intake";
import type { HistorySync } from "./history-sync";
import { landed } from "./log-intake";
import type { MessageLog } from "./message-log";
import type { ReadMarker } from "./read-marker";
import type { Resume } from "./resume";
import type { RoomSessionOptions } from "./room-session";
import type { Roster } from "./roster";
import type { StaffDesk } from "./staff-desk";
import type { Typing } from "./typing";
import type { UnreadCounter } from "./unread";

/** The parts of one room a frame may reach; room-session.ts makes them. */
export interface RoomParts {
  log: MessageLog;
  history: HistorySync;
  resume: Resume;
  outbox: Outbox;
  roster: Roster;
  typing: Typing;
  access: RoomAccessState;
  desk: StaffDesk;
  readMarker: ReadMarker;
  unread: UnreadCounter;
}

export interface RoomFeedOptions extends Pick<RoomSessionOptions, "identity" | "alerts" | "timers" | "tunables" | "onIncoming" | "onNews"> {
  parts: RoomParts;
  /** Something the page shows changed. */
  changed: () => void;
  /** Save the room at once (a refusal or a lost ack is worth keeping across a reload). */
  persistNow: () => void;
}

/**
 * What the server and the link feed one room: each frame of the room handed to the part that owns
 * it (`receive`), the room's entry in `ready` (`membership`), and the link's states (`linkChanged`,
 * `detached`). Keeps what those say about the room's join: whether this link's `joined` is applied,
 * who we are here, the notify level. The user's commands and the room's outward view are
 * room-session.ts's.
 */
export class RoomFeed {
  /** Who we are in this room (its `joined.you`: a suffixed name if ours was taken here). */
  private youHere: User | null = null;
  /** This link's `joined` has been applied (held back while a resume is verified). */
  private applied = false;
  /** A `joined` was applied before: the next one is a rejoin. */
  private wasJoined = false;
  private previousStatus: ConnectionState["status"] = "closed";
  /** How much of this room notifies the user: from `ready`, `joined` and `notify` (every tab follows). */
  private level: NotifyLevel = DEFAULT_NOTIFY_LEVEL;
  private readonly parts: RoomParts;
  private readonly handlers: FrameHandlers = {
    joined: (frame) => this.onJoined(frame),
    chat: (frame) => this.onEvent(frame),
    edit: (frame) => this.onEvent(frame),
    delete: (frame) => this.onEvent(frame),
    reaction: (frame) => this.onEvent(frame),
    moderation: (frame) => this.onEvent(frame),
    "unknown-event": (frame) => this.onEvent(frame),
    notify: (frame) => this.setLevel(frame.level),
    "room-admin": (frame) => this.onDesk(frame),
    report: (frame) => this.onDesk(frame),
    "report-resolved": (frame) => this.onDesk(frame),
    "invite-created": (frame) => this.onDesk(frame),
    "invite-revoked": (frame) => this.onDesk(frame),
    history: (frame) => this.onHistory(frame),
    ack: (frame) => this.onAck(frame),
    system: (frame) => this.onSystem(frame),
    typing: (frame) => this.onTyping(frame),
    error: (frame) => this.onError(frame),
  };

  constructor(private readonly options: RoomFeedOptions) {
    this.parts = options.parts;
  }

  /** Who we are in this room, once joined. */
  get you(): User | null {
    return this.youHere;
  }

  get notifyLevel(): NotifyLevel {
    return this.level;
  }

  /** This link's `joined` has been applied: history may page, the outbox may send. */
  get joinApplied(): boolean {
    return this.applied;
  }

  /** The room's entry in `ready` (or null when `ready` did not list it). */
  membership(entry: MembershipEntry | null): void {
    const { unread, history, readMarker } = this.parts;
    unread.setBaseline(entry);
    if (!entry) return;
    this.level = entry.notify;
    history.heardOf(entry.latestSeq);
    readMarker.heard(entry.readSeq);
  }

  /** A frame of this room from the server. */
  receive(frame: IncomingFrame): void {
    if (this.parts.resume.holds(frame)) return;
    routeFrame(frame, this.handlers);
  }

  /** The tab's connection changed state. */
  linkChanged(state: ConnectionState): void {
    if (state.status === "reconnecting" && this.previousStatus === "open" && this.wasJoined) {
      this.parts.log.addEvent({ kind: "disconnected" }, this.options.timers.now());
    }
    this.previousStatus = state.status;
    if (state.status !== "open") this.detached(state.status === "closed" && state.reason !== "stopped");
  }

  /**
   * The room is no longer joined on the link (the socket went, or the server said `not_joined`):
   * what was in flight is answered after the next `joined` or not at all.
   */
  detached(ended = false): void {
    const { history, resume, typing, outbox, readMarker } = this.parts;
    this.applied = false;
    history.linkLost(ended);
    resume.linkLost();
    typing.linkLost();
    outbox.linkLost();
    readMarker.linkLost();
  }

  private onJoined(frame: JoinedFrame): void {
    const decision = this.parts.resume.joined(frame, this.parts.log);
    if (decision.kind === "verify") {
      // Ask for the server's chat at the anchor (one history page of one) and apply `joined` once it answers.
      this.parts.history.verify(decision.anchor);
      this.options.changed();
      return;
    }
    this.applyJoined(frame, decision.since, decision.storeReset);
  }

  private applyJoined(frame: JoinedFrame, since: number | undefined, storeReset: boolean): void {
    const { identity, alerts, timers } = this.options;
    const { history, outbox, readMarker, access, unread, roster, typing, desk, log } = this.parts;
    if (storeReset) {
      // Nothing we hold matches the server's seqs; acked messages it lost are sent again.
      history.storeReset();
      outbox.storeReset();
      readMarker.reset(frame.readSeq);
      access.reset();
    } else {
      readMarker.heard(frame.readSeq);
    }
    const adjusted = identity.joinedAs(frame.you);
    if (adjusted) alerts.nameWasAdjusted(adjusted);
    this.youHere = frame.you;
    this.level = frame.notify;
    unread.setMentionBaseline(frame);
    access.joined(frame);
    roster.joined(frame, this.wasJoined && !storeReset, timers.now());
    typing.clearOthers();
    // Acked entries whose echo was lost with the link settle as the log reaches them (see `landed`).
    this.took(history.joined(frame, since, storeReset));
    this.applied = true;
    desk.joined();
    outbox.transmitQueued();
    if (this.wasJoined) log.addEvent({ kind: "connected" }, timers.now());
    this.wasJoined = true;
    history.pump();
    this.options.changed();
  }

  /** A live event: a chat, a change to one, or a kind this client does not know (it only moves the room's position). */
  private onEvent(frame: PageEvent): void {
    const { log, history } = this.parts;
    const meId = this.options.identity.me?.id;
    // Whether an edit adds a mention is read against the chat as it stood before it.
    const before = frame.type === "edit" ? log.at(frame.target) : undefined;
    const fresh = this.took(history.live(frame));
    for (const message of fresh) this.options.onIncoming(message);
    const news = { level: this.level, meId, mentionedBefore: false };
    // A chat is news once: when it first reaches the log (never an echo or a repeat).
    if (frame.type === "chat" && fresh.some((message) => message.seq === frame.seq)) {
      this.options.onNews({
        ...news,
        kind: "chat",
        seq: frame.seq,
        from: frame.from,
        text: frame.text,
        mentionsMe: mentionsUser(frame, meId),
      });
    } else if (frame.type === "edit") {
      const mentionedBefore = before !== undefined && mentionsUser(before, meId);
      this.options.onNews({
        ...news,
        kind: "edit",
        seq: frame.target,
        from: frame.by,
        text: frame.text,
        mentionsMe: mentionsUser(frame, meId),
        mentionedBefore,
      });
    }
    history.pump();
    this.options.changed();
  }

  private onHistory(frame: HistoryFrame): void {
    const answer = this.parts.history.received(frame);
    if (answer.kind === "page") {
      this.took(answer.taken);
      this.options.changed();
      return;
    }
    const verified = this.parts.resume.answered(frame);
    if (!verified) return;
    this.applyJoined(verified.joined, verified.since, verified.storeReset);
    for (const held of verified.held) this.receive(held);
  }

  /** Events reached the log: see `landed`. Returns the new chats from others. */
  private took(taken: Taken): ChatFrame[] {
    const { outbox, typing, log, access, desk } = this.parts;
    const meId = this.options.identity.me?.id;
    const moderation: ModerationEvent[] = [];
    for (const event of taken.events) {
      if (event.type === "moderation") moderation.push(event);
      else if (event.type === "chat" && event.from.id === meId) access.ownChatStored(event.ts);
    }
    // Offered even with none: covering a gap may free events that waited above it.
    access.offer(moderation, (from, to) => log.coversAll(from, to));
    desk.moderated(moderation);
    return landed(taken, { log, outbox, typing, meId });
  }

  private setLevel(level: NotifyLevel): void {
    this.level = level;
    this.options.changed();
  }

  private onDesk(frame: Parameters<StaffDesk["receive"]>[0]): void {
    if (this.parts.desk.receive(frame)) this.options.changed();
  }

  private onAck(frame: ServerFrameOf<"ack">): void {
    const { outbox, log } = this.parts;
    if (outbox.acked(frame, log.isPast(frame.seq))) this.options.changed();
  }

  private onSystem(frame: ServerFrameOf<"system">): void {
    const { identity, alerts, timers } = this.options;
    const { roster, log, typing } = this.parts;
    const change = roster.applySystem(frame, identity.me?.id, timers.now());
    for (const event of change.events) log.addEvent(event, frame.ts);
    for (const user of change.left) typing.forget(user.id);
    for (const user of change.renamed) {
      typing.renamed(user);
      if (user.id !== identity.me?.id) continue;
      this.youHere = user;
      // The rename we asked for went through: a refused earlier one, or a suffix at join, is old news.
      if (identity.renamed(user)) alerts.resolve("renamed");
    }
    this.options.changed();
  }

  private onTyping(frame: ServerFrameOf<"typing">): void {
    if (this.parts.typing.received(frame, this.options.identity.me?.id)) this.options.changed();
  }

  private onError(frame: ServerFrameOf<"error">): void {
    const { identity, alerts, tunables, timers } = this.options;
    const { outbox, access, history } = this.parts;
    const outcome = outbox.answered(frame);
    if (outcome === "ignored") return;
    if (outcome === "refused" && (frame.code === "muted" || frame.code === "locked")) {
      // The composer closes (and says until when) though the mute or lock event is still on its way.
      access.refused(frame.code, frame.retryAfterMs, timers.now());
    }
    if (outcome !== "not-ours") {
      if (outcome === "refused") this.options.persistNow();
      this.options.changed();
      return;
    }
    if (frame.code === "rate_limited" && history.inFlight) {
      // The refused frame was the history request in flight (one at a time): ask again when allowed.
      history.rateLimited(frame.retryAfterMs ?? tunables.retryAfterFallbackMs);
      return;
    }
    const refusedName = frame.code === "name_taken" ? identity.renameRefused() : undefined;
    alerts.raise(frame.code, frame.message, refusedName);
    this.options.changed();
  }
}
