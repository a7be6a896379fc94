import {
  type ChatFrame,
  codePointLength,
  DEFAULT_LIMITS,
  type ServerFrame,
  type ServerFrameOf,
  type WelcomeFrame,
  type WelcomeLimits,
} from "@chatroom/protocol";
import type { ClientTunables } from "../options";
import { Outbox } from "../outbox/outbox";
import { loadRoomState, RoomPersistence } from "../persistence/room-persistence";
import type { ClientStorage } from "../persistence/storage";
import type { ConnectionTimers } from "../transport/connection";
import type { ConnectionState } from "../transport/connection-machine";
import type { Alerts } from "./alerts";
import { type FrameHandlers, routeFrame } from "./frame-router";
import { HistorySync } from "./history-sync";
import type { Identity } from "./identity";
import { MessageLog } from "./message-log";
import { Resume } from "./resume";
import type { RoomLink } from "./room-link";
import { Roster } from "./roster";
import { Typing } from "./typing";

/** What a room session carries over from the tab's previous room. */
export interface RoomInheritance {
  limits: WelcomeLimits;
  incomingCount: number;
}

export interface RoomSessionOptions {
  room: string;
  link: RoomLink;
  /** The tab's identity and alerts: shared by every room of the tab. */
  identity: Identity;
  alerts: Alerts;
  storage: ClientStorage;
  timers: ConnectionTimers;
  tunables: ClientTunables;
  inherited?: RoomInheritance;
  onChange: () => void;
}

/**
 * One room as this tab sees it: wires the log, history sync, resume, outbox, roster and typing,
 * and hands each server frame to the part that owns it. It owns no socket and no rule of its
 * own: it is fed frames and connection states, and sends through a `RoomLink`.
 */
export class RoomSession {
  readonly room: string;
  readonly log = new MessageLog();
  readonly history: HistorySync;
  readonly outbox: Outbox;
  readonly roster: Roster;
  readonly typing: Typing;
  private readonly resume = new Resume();
  private readonly persistence: RoomPersistence;
  private serverLimits: WelcomeLimits;
  private newestIncoming: ChatFrame | null = null;
  private incoming: number;
  /** Whether a welcome was applied before: the next one is a reconnect. */
  private wasOpen = false;
  private previousStatus: ConnectionState["status"] = "closed";
  private readonly handlers: FrameHandlers = {
    welcome: (frame) => this.onWelcome(frame),
    chat: (frame) => this.onChat(frame),
    history: (frame) => this.onHistory(frame),
    ack: (frame) => this.onAck(frame),
    system: (frame) => this.onSystem(frame),
    typing: (frame) => this.onTyping(frame),
    error: (frame) => this.onError(frame),
  };

  constructor(private readonly options: RoomSessionOptions) {
    const { link, identity, timers, tunables, storage } = options;
    this.room = options.room;
    this.serverLimits = options.inherited?.limits ?? DEFAULT_LIMITS;
    this.incoming = options.inherited?.incomingCount ?? 0;
    this.history = new HistorySync({ log: this.log, link, timers, joined: () => identity.me !== null, ...tunables });
    const saved = loadRoomState(storage, this.room);
    this.history.restore(saved.messages, saved.clearedThroughSeq);
    this.outbox = new Outbox({
      timers,
      restored: saved.outbox,
      // While a resume is being checked, acks could not be matched against the log: the welcome sends them.
      send: (frame) => identity.me !== null && !this.resume.verifying && link.send(frame),
      ackTimeoutMs: tunables.ackTimeoutMs,
      retryAfterFallbackMs: tunables.retryAfterFallbackMs,
      onUnanswered: () => {
        // Silence is evidence the link may be dead although the socket looks open: check it now.
        link.probe();
        this.changed();
        this.persistNow();
      },
    });
    this.roster = new Roster(tunables.quietRejoinMs);
    this.typing = new Typing({ timers, send: (frame) => link.send(frame), ...tunables, onChange: () => this.changed() });
    this.persistence = new RoomPersistence({
      storage,
      room: this.room,
      timers,
      persistedMessages: tunables.persistedMessages,
      debounceMs: tunables.saveDebounceMs,
      read: () => ({ messages: this.log.messages, outbox: this.outbox.view(), clearedThroughSeq: this.history.clearedThroughSeq }),
    });
  }

  get limits(): WelcomeLimits {
    return this.serverLimits;
  }

  /** Newest live chat from someone else, for announcements. */
  get lastIncoming(): ChatFrame | null {
    return this.newestIncoming;
  }

  /** How many live chats from others arrived since the tab started: unread counts diff it. */
  get incomingCount(): number {
    return this.incoming;
  }

  /** A new connection attempt for this room: the `since` to ask for, remembered to read its welcome. */
  beginAttempt(): number | undefined {
    return this.resume.attempt(this.history.resumePoint());
  }

  resumePoint(): number | undefined {
    return this.history.resumePoint();
  }

  /** A frame of this room from the server. */
  receive(frame: ServerFrame): void {
    if (this.resume.holds(frame)) return;
    routeFrame(frame, this.handlers);
  }

  /** The link carrying this room changed state. */
  linkChanged(state: ConnectionState): void {
    if (state.status === "reconnecting" && this.previousStatus === "open" && this.options.identity.me) {
      this.log.addEvent({ kind: "disconnected" }, this.options.timers.now());
    }
    this.previousStatus = state.status;
    if (state.status !== "open") {
      this.history.linkLost(state.status === "closed" && state.reason !== "stopped");
      this.resume.linkLost();
      this.typing.linkLost();
      this.outbox.linkLost();
    }
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Queues a message: it shows at once as pending and is sent whenever the link can take it. */
  send(rawText: string): boolean {
    const text = rawText.trim();
    if (!text) return false;
    const { alerts } = this.options;
    if (codePointLength(text) > this.serverLimits.maxTextLength) {
      alerts.raise("too_long_local", `Messages can be at most ${this.serverLimits.maxTextLength} characters.`);
      this.changed();
      return false;
    }
    alerts.resolve("sent");
    this.typing.stop();
    this.outbox.add(text);
    this.changed();
    // The outbox must survive a reload that comes right after Send.
    this.persistNow();
    return true;
  }

  retry(clientMsgId: string): void {
    if (!this.outbox.retry(clientMsgId)) return;
    this.changed();
    this.persistNow();
  }

  discard(clientMsgId: string): void {
    this.outbox.remove(clientMsgId);
    this.changed();
    this.persistNow();
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

  /** Repeats the rename the user asked for, if one is still wanted. */
  sendRename(): void {
    const name = this.options.identity.pendingRename;
    if (name !== undefined) this.options.link.send({ type: "rename", name });
  }

  persistSoon(): void {
    this.persistence.soon();
  }

  persistNow(): void {
    this.persistence.now();
  }

  /** The tab leaves this room: saves it and stops every timer. */
  dispose(): void {
    this.persistence.now();
    this.persistence.dispose();
    this.outbox.dispose();
    this.typing.dispose();
    this.history.dispose();
  }

  // ---- frames -------------------------------------------------------------------------------

  private onWelcome(frame: WelcomeFrame): void {
    const decision = this.resume.welcome(frame, this.log);
    if (decision.kind === "verify") {
      // Ask for the server's message at `since` (one history page of one) and apply the welcome once it answers.
      this.history.verify(decision.since);
      this.changed();
      return;
    }
    this.applyWelcome(frame, decision.since, decision.storeReset);
  }

  private applyWelcome(frame: WelcomeFrame, since: number | undefined, storeReset: boolean): void {
    const { identity, alerts, timers } = this.options;
    if (storeReset) {
      // Nothing we hold matches the server's seqs; acked messages it lost are sent again.
      this.history.storeReset();
      this.outbox.storeReset();
    }
    const adjusted = identity.welcomed(frame.you, frame.session);
    if (adjusted) alerts.nameWasAdjusted(adjusted);
    this.serverLimits = frame.limits;
    this.roster.welcomed(frame, this.wasOpen && !storeReset, timers.now());
    this.typing.clearOthers();
    this.took(this.history.welcomed(frame, since, storeReset));
    // Acked entries whose echo we may have missed are in the store: the log has them now or they are older than it.
    this.outbox.dropAckedThrough(frame.latestSeq);
    this.outbox.transmitQueued();
    if (identity.renameStillWanted()) this.sendRename();
    if (this.wasOpen) this.log.addEvent({ kind: "connected" }, timers.now());
    this.wasOpen = true;
    this.history.pump();
    this.changed();
  }

  private onChat(frame: ChatFrame): void {
    const meId = this.options.identity.me?.id;
    for (const message of this.took(this.history.accept([frame], "live"))) {
      if (message.from.id === meId) continue;
      this.newestIncoming = message;
      this.incoming++;
    }
    this.history.pump();
    this.changed();
  }

  private onHistory(frame: ServerFrameOf<"history">): void {
    const answer = this.history.received(frame);
    if (answer.kind === "page") {
      this.took(answer.fresh);
      this.changed();
      return;
    }
    const verified = this.resume.answered(frame);
    if (!verified) return;
    this.applyWelcome(verified.welcome, verified.since, verified.storeReset);
    for (const held of verified.held) this.receive(held);
  }

  /** New chats in the log: our own echoes leave the outbox, and their authors stop typing. */
  private took(fresh: ChatFrame[]): ChatFrame[] {
    const meId = this.options.identity.me?.id;
    for (const message of fresh) {
      if (message.from.id === meId && message.clientMsgId) this.outbox.remove(message.clientMsgId);
      this.typing.forget(message.from.id);
    }
    return fresh;
  }

  private onAck(frame: ServerFrameOf<"ack">): void {
    if (this.outbox.acked(frame, this.log.has(frame.seq))) this.changed();
  }

  private onSystem(frame: ServerFrameOf<"system">): void {
    const { identity, alerts, timers } = this.options;
    const change = this.roster.applySystem(frame, identity.me?.id, timers.now());
    for (const event of change.events) this.log.addEvent(event, frame.ts);
    for (const user of change.left) this.typing.forget(user.id);
    for (const user of change.renamed) {
      this.typing.renamed(user);
      // The rename we asked for went through: a refused earlier one, or a suffix at join, is old news.
      if (user.id === identity.me?.id && identity.renamed(user)) alerts.resolve("renamed");
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

  private changed(): void {
    this.options.onChange();
  }
}
