import type {
  ChatFrame,
  HistoryFrame,
  JoinedFrame,
  MembershipEntry,
  ModerationEvent,
  NotifyLevel,
  PageEvent,
  ReadyLimits,
  ServerFrameOf,
  User,
} from "@chatroom/protocol";
import { DEFAULT_NOTIFY_LEVEL } from "@chatroom/protocol";
import { mentionsUser, type RoomNews } from "../notifications/room-news";
import type { ClientTunables } from "../options";
import { Outbox } from "../outbox/outbox";
import { loadRoomState, RoomPersistence } from "../persistence/room-persistence";
import type { ClientStorage } from "../persistence/storage";
import type { ConnectionTimers } from "../transport/connection";
import type { ConnectionState } from "../transport/connection-machine";
import { RoomAccessState } from "./access";
import type { Alerts } from "./alerts";
import { Composer } from "./composer";
import { type FrameHandlers, type IncomingFrame, routeFrame } from "./frame-router";
import type { Taken } from "./history-intake";
import { HistorySync } from "./history-sync";
import type { Identity } from "./identity";
import { landed } from "./log-intake";
import { type LogItem, MessageLog } from "./message-log";
import { ReadMarker } from "./read-marker";
import { Resume } from "./resume";
import { Reveal } from "./reveal";
import type { RoomLink } from "./room-link";
import { Roster } from "./roster";
import { StaffDesk } from "./staff-desk";
import { Typing } from "./typing";
import { UnreadCounter } from "./unread";

export interface RoomSessionOptions {
  room: string;
  link: RoomLink;
  /** The tab's identity and alerts: shared by every room of the tab. */
  identity: Identity;
  alerts: Alerts;
  storage: ClientStorage;
  timers: ConnectionTimers;
  tunables: ClientTunables;
  /** The server's limits, from the latest `ready`. */
  limits: () => ReadyLimits;
  /** A live chat from someone else arrived in this room. */
  onIncoming: (message: ChatFrame) => void;
  /** A live chat, or an edit of one, arrived (ours too: the notifier decides). */
  onNews: (news: Omit<RoomNews, "room">) => void;
  onChange: () => void;
}

/**
 * One room as this tab sees it: wires the log, history sync, resume, outbox, composer, reveal,
 * roster, typing, read marker and unread count, and hands each frame of its room to the part that
 * owns it. It owns no socket and no rule of its own: it is fed its room's frames and the
 * connection's states, and sends through its `RoomLink`.
 */
export class RoomSession {
  readonly room: string;
  readonly log = new MessageLog();
  readonly history: HistorySync;
  readonly outbox: Outbox;
  readonly roster: Roster;
  readonly typing: Typing;
  /** Our role here and the room's rules (private, locked, slow mode, our mute, the staff). */
  readonly access: RoomAccessState;
  /** Invites, bans, mutes and reports, for staff. */
  readonly desk: StaffDesk;
  /** The user's commands on the outbox: send, edit, remove, react, retry, discard. */
  readonly composer: Composer;
  private readonly resume = new Resume();
  private readonly reveals: Reveal;
  private readonly readMarker: ReadMarker;
  private readonly unread = new UnreadCounter();
  private readonly persistence: RoomPersistence;
  /** Who we are in this room (its `joined.you`: a suffixed name if ours was taken here). */
  private youHere: User | null = null;
  /** This link's `joined` has been applied (held back while a resume is verified). */
  private applied = false;
  /** A `joined` was applied before: the next one is a rejoin. */
  private wasJoined = false;
  private previousStatus: ConnectionState["status"] = "closed";
  /** How much of this room notifies the user: from `ready`, `joined` and `notify` (every tab follows). */
  private level: NotifyLevel = DEFAULT_NOTIFY_LEVEL;
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

  constructor(private readonly options: RoomSessionOptions) {
    const { link, timers, tunables, storage } = options;
    this.room = options.room;
    this.history = new HistorySync({ log: this.log, link, timers, joined: () => this.applied, ...tunables });
    const saved = loadRoomState(storage, this.room);
    this.access = new RoomAccessState(() => options.identity.me?.id);
    this.desk = new StaffDesk(() => link.send({ type: "room-admin" }));
    this.history.restore(saved.messages, saved.coverage, saved.clearedThroughSeq, saved.moderation);
    this.reveals = new Reveal(this.log, this.history);
    this.outbox = new Outbox({
      timers,
      restored: saved.outbox,
      // While a resume is being checked, acks could not be matched against the log: the `joined` sends them.
      send: (frame) => this.applied && !this.resume.verifying && link.send(frame),
      ackTimeoutMs: tunables.ackTimeoutMs,
      retryAfterFallbackMs: tunables.retryAfterFallbackMs,
      onUnanswered: () => {
        // Silence is evidence the link may be dead although the socket looks open: check it now.
        link.probe();
        this.changed();
        this.persistNow();
      },
    });
    this.composer = new Composer({
      outbox: this.outbox,
      alerts: options.alerts,
      limits: options.limits,
      stopTyping: () => this.typing.stop(),
      changed: (save) => {
        this.changed();
        if (save) this.persistNow();
      },
    });
    this.readMarker = new ReadMarker({
      timers,
      everyMs: tunables.readMarkerEveryMs,
      send: (seq) => link.send({ type: "read", seq }),
      restored: saved.readSeq,
    });
    this.roster = new Roster(tunables.quietRejoinMs);
    this.typing = new Typing({ timers, send: (frame) => link.send(frame), ...tunables, onChange: () => this.changed() });
    this.persistence = new RoomPersistence({
      storage,
      room: this.room,
      timers,
      persistedMessages: tunables.persistedMessages,
      debounceMs: tunables.saveDebounceMs,
      read: () => ({
        messages: this.log.messages,
        coverage: this.log.coverage,
        outbox: this.outbox.view(),
        clearedThroughSeq: this.history.clearedThroughSeq,
        readSeq: this.readMarker.readSeq,
        moderation: this.log.moderationEvents,
      }),
    });
  }

  /** Who we are in this room, once joined. */
  get you(): User | null {
    return this.youHere;
  }

  get readSeq(): number {
    return this.readMarker.readSeq;
  }

  /** The read marker is known (saved, or said by the server) rather than a default. */
  get readSeqKnown(): boolean {
    return this.readMarker.known;
  }

  /** The highest seq this room is known to have reached. */
  get latestSeq(): number {
    return Math.max(this.history.latestSeq, this.log.newestSeq);
  }

  /** Chats from others above the read marker. */
  get unreadCount(): number {
    return this.unread.count(this.log, this.readMarker.readSeq, this.options.identity.me?.id);
  }

  /** Of those, the ones that mention the user (by name or `@room`). */
  get unreadMentionCount(): number {
    return this.unread.mentionCount(this.log, this.readMarker.readSeq, this.options.identity.me?.id);
  }

  get notifyLevel(): NotifyLevel {
    return this.level;
  }

  /** A new join of this room: the `since` to ask for, remembered to read its `joined`. */
  beginJoin(): number | undefined {
    return this.resume.attempt(this.history.resumePoint());
  }

  /** The room's entry in `ready` (or null when `ready` did not list it). */
  membership(entry: MembershipEntry | null): void {
    this.unread.setBaseline(entry);
    if (!entry) return;
    this.level = entry.notify;
    this.history.heardOf(entry.latestSeq);
    this.readMarker.heard(entry.readSeq);
  }

  /** A frame of this room from the server. */
  receive(frame: IncomingFrame): void {
    if (this.resume.holds(frame)) return;
    routeFrame(frame, this.handlers);
  }

  /** The tab's connection changed state. */
  linkChanged(state: ConnectionState): void {
    if (state.status === "reconnecting" && this.previousStatus === "open" && this.wasJoined) {
      this.log.addEvent({ kind: "disconnected" }, this.options.timers.now());
    }
    this.previousStatus = state.status;
    if (state.status !== "open") this.detached(state.status === "closed" && state.reason !== "stopped");
  }

  /**
   * The room is no longer joined on the link (the socket went, or the server said `not_joined`):
   * what was in flight is answered after the next `joined` or not at all.
   */
  detached(ended = false): void {
    this.applied = false;
    this.history.linkLost(ended);
    this.resume.linkLost();
    this.typing.linkLost();
    this.outbox.linkLost();
    this.readMarker.linkLost();
  }

  // ---- commands -----------------------------------------------------------------------------

  /** `ready.admin`: we moderate every room. */
  setAdmin(admin: boolean): void {
    this.access.setAdmin(admin);
  }

  /** Pages back until the chat at `seq` is held or nothing older is left; resolves whether it is held. */
  reveal(seq: number): Promise<boolean> {
    const revealed = this.reveals.reveal(seq);
    this.changed();
    return revealed;
  }

  /** Shows the chat at `seq` (a link to a message, a search result): from the log, or loaded around it. */
  openAt(seq: number): void {
    this.history.openAt(seq);
    this.changed();
  }

  /** The reader reached the bottom of a link's window: the next page below it. */
  loadNewer(): void {
    if (this.history.loadNewer()) this.changed();
  }

  /** Leaves a link's window for the live end. */
  jumpToPresent(): void {
    this.history.jumpToPresent();
    this.changed();
  }

  /** The rows the page shows: the whole log, or a link's window up to its top while it is apart from the live end. */
  get items(): LogItem[] {
    const top = this.history.window.top;
    return top === undefined ? this.log.items() : this.log.itemsThrough(top);
  }

  /** Call on every keystroke; the typing part throttles what goes out. */
  noteTyping(): void {
    this.typing.note();
  }

  stopTyping(): void {
    this.typing.stop();
  }

  loadOlder(): void {
    if (this.history.loadOlder()) this.changed();
  }

  clear(): void {
    this.history.clear();
    this.changed();
    this.persistNow();
  }

  /** Everything held has been on screen: the marker moves to the newest seq held. */
  markRead(): void {
    // In a link's window the reader has seen its rows, not the live end.
    if (this.readMarker.mark(Math.min(this.log.newestSeq, this.history.window.top ?? Number.POSITIVE_INFINITY))) this.changed();
  }

  persistSoon(): void {
    this.persistence.soon();
  }

  persistNow(): void {
    this.persistence.now();
  }

  /** Stops every timer; what the room holds stays saved. */
  dispose(): void {
    this.persistence.now();
    this.stop();
  }

  /** The user left the room: every timer stops and nothing of it stays in storage. */
  forget(): void {
    this.stop();
    this.options.storage.removeRoom(this.room);
  }

  // ---- frames -------------------------------------------------------------------------------

  private onJoined(frame: JoinedFrame): void {
    const decision = this.resume.joined(frame, this.log);
    if (decision.kind === "verify") {
      // Ask for the server's chat at the anchor (one history page of one) and apply `joined` once it answers.
      this.history.verify(decision.anchor);
      this.changed();
      return;
    }
    this.applyJoined(frame, decision.since, decision.storeReset);
  }

  private applyJoined(frame: JoinedFrame, since: number | undefined, storeReset: boolean): void {
    const { identity, alerts, timers } = this.options;
    if (storeReset) {
      // Nothing we hold matches the server's seqs; acked messages it lost are sent again.
      this.history.storeReset();
      this.outbox.storeReset();
      this.readMarker.reset(frame.readSeq);
      this.access.reset();
    } else {
      this.readMarker.heard(frame.readSeq);
    }
    const adjusted = identity.joinedAs(frame.you);
    if (adjusted) alerts.nameWasAdjusted(adjusted);
    this.youHere = frame.you;
    this.level = frame.notify;
    this.unread.setMentionBaseline(frame);
    this.access.joined(frame);
    this.roster.joined(frame, this.wasJoined && !storeReset, timers.now());
    this.typing.clearOthers();
    // Acked entries whose echo was lost with the link settle as the log reaches them (see `landed`).
    this.took(this.history.joined(frame, since, storeReset));
    this.applied = true;
    this.desk.joined();
    this.outbox.transmitQueued();
    if (this.wasJoined) this.log.addEvent({ kind: "connected" }, timers.now());
    this.wasJoined = true;
    this.history.pump();
    this.changed();
  }

  /** A live event: a chat, a change to one, or a kind this client does not know (it only moves the room's position). */
  private onEvent(frame: PageEvent): void {
    const meId = this.options.identity.me?.id;
    // Whether an edit adds a mention is read against the chat as it stood before it.
    const before = frame.type === "edit" ? this.log.at(frame.target) : undefined;
    const fresh = this.took(this.history.live(frame));
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
    this.history.pump();
    this.changed();
  }

  private onHistory(frame: HistoryFrame): void {
    const answer = this.history.received(frame);
    if (answer.kind === "page") {
      this.took(answer.taken);
      this.changed();
      return;
    }
    const verified = this.resume.answered(frame);
    if (!verified) return;
    this.applyJoined(verified.joined, verified.since, verified.storeReset);
    for (const held of verified.held) this.receive(held);
  }

  /** Events reached the log: see `landed`. Returns the new chats from others. */
  private took(taken: Taken): ChatFrame[] {
    const { outbox, typing, log } = this;
    const meId = this.options.identity.me?.id;
    const moderation: ModerationEvent[] = [];
    for (const event of taken.events) {
      if (event.type === "moderation") moderation.push(event);
      else if (event.type === "chat" && event.from.id === meId) this.access.ownChatStored(event.ts);
    }
    // Offered even with none: covering a gap may free events that waited above it.
    this.access.offer(moderation, (from, to) => log.coversAll(from, to));
    this.desk.moderated(moderation);
    return landed(taken, { log, outbox, typing, meId });
  }

  private setLevel(level: NotifyLevel): void {
    this.level = level;
    this.changed();
  }

  private onDesk(frame: Parameters<StaffDesk["receive"]>[0]): void {
    if (this.desk.receive(frame)) this.changed();
  }

  private onAck(frame: ServerFrameOf<"ack">): void {
    if (this.outbox.acked(frame, this.log.isPast(frame.seq))) this.changed();
  }

  private onSystem(frame: ServerFrameOf<"system">): void {
    const { identity, alerts, timers } = this.options;
    const change = this.roster.applySystem(frame, identity.me?.id, timers.now());
    for (const event of change.events) this.log.addEvent(event, frame.ts);
    for (const user of change.left) this.typing.forget(user.id);
    for (const user of change.renamed) {
      this.typing.renamed(user);
      if (user.id !== identity.me?.id) continue;
      this.youHere = user;
      // The rename we asked for went through: a refused earlier one, or a suffix at join, is old news.
      if (identity.renamed(user)) alerts.resolve("renamed");
    }
    this.changed();
  }

  private onTyping(frame: ServerFrameOf<"typing">): void {
    if (this.typing.received(frame, this.options.identity.me?.id)) this.changed();
  }

  private onError(frame: ServerFrameOf<"error">): void {
    const { identity, alerts, tunables } = this.options;
    const outcome = this.outbox.answered(frame);
    if (outcome === "ignored") return;
    if (outcome === "refused" && (frame.code === "muted" || frame.code === "locked")) {
      // The composer closes (and says until when) though the mute or lock event is still on its way.
      this.access.refused(frame.code, frame.retryAfterMs, this.options.timers.now());
    }
    if (outcome !== "not-ours") {
      if (outcome === "refused") this.persistNow();
      this.changed();
      return;
    }
    if (frame.code === "rate_limited" && this.history.inFlight) {
      // The refused frame was the history request in flight (one at a time): ask again when allowed.
      this.history.rateLimited(frame.retryAfterMs ?? tunables.retryAfterFallbackMs);
      return;
    }
    const refusedName = frame.code === "name_taken" ? identity.renameRefused() : undefined;
    alerts.raise(frame.code, frame.message, refusedName);
    this.changed();
  }

  private stop(): void {
    this.reveals.dispose();
    this.persistence.dispose();
    this.outbox.dispose();
    this.typing.dispose();
    this.history.dispose();
    this.readMarker.dispose();
  }

  private changed(): void {
    // A reveal waiting for its chat may be answered, or need the next page, after any change.
    this.reveals.advance();
    this.options.onChange();
  }
}
