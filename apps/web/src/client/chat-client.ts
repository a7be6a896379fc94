import {
  type ChatFrame,
  codePointLength,
  DEFAULT_LIMITS,
  DEFAULT_ROOM,
  type ErrorCode,
  type ServerFrame,
  type ServerFrameOf,
  type User,
  type WelcomeFrame,
  type WelcomeLimits,
} from "@chatroom/protocol";
import type { Backoff } from "./backoff";
import { Connection, type ConnectionTimers, type SocketFactory, type Wakeups } from "./connection";
import type { ConnectionState } from "./connection-machine";
import { type LogItem, MessageLog } from "./message-log";
import { isUnsent, newClientMsgId, type OutboxEntry, requeueUnanswered } from "./outbox";
import { OutboxFlush } from "./outbox-flush";
import type { ClientStorage } from "./storage";

/**
 * What lies above the oldest message held: more to load, the room's first message, a hole the
 * server can no longer fill, or the point where the user pressed Clear.
 */
export type HistoryEdge = "more" | "start" | "unavailable" | "cleared";

export interface ChatAlert {
  code: ErrorCode | "too_long_local";
  message: string;
  /** The name a refused rename asked for, so the UI can say which one. */
  name?: string;
  id: number;
}

export interface ChatSnapshot {
  connection: ConnectionState;
  room: string;
  me: User | null;
  members: User[];
  memberCount: number;
  items: LogItem[];
  outbox: OutboxEntry[];
  typing: User[];
  historyEdge: HistoryEdge;
  loadingOlder: boolean;
  limits: WelcomeLimits;
  /** The latest error the user should see, e.g. a refused rename. */
  alert: ChatAlert | null;
  /** Set when the name we asked for was taken and the server gave us another. */
  nameAdjusted: { requested: string; given: string } | null;
  /** Newest live chat from someone else, for announcements. */
  lastIncoming: ChatFrame | null;
  /** How many live chats from others arrived since this client started: unread counts diff it. */
  incomingCount: number;
  /**
   * Other rooms this tab left with messages not yet stored. `sending`: a background connection is
   * delivering them now; otherwise they wait until the user opens that room again.
   */
  unsentElsewhere: Array<{ room: string; count: number; sending: boolean }>;
}

export interface ChatClientOptions {
  /** Base URL of the websocket endpoint, e.g. ws://host/ws. */
  endpoint: string;
  room?: string;
  name?: string;
  storage: ClientStorage;
  createSocket: SocketFactory;
  timers: ConnectionTimers;
  wakeups?: Wakeups;
  /** Browser signals that the network is gone (`offline`). */
  linkLost?: Wakeups;
  backoff?: Backoff;
  /**
   * Unacked sends over an open socket turn failed after this long, and the link is probed: if no
   * pong comes within `probeTimeoutMs` the socket is dropped, and those sends turn pending again and
   * go out on the next welcome.
   */
  ackTimeoutMs?: number;
  probeTimeoutMs?: number;
  /** How many messages the tab keeps in memory. */
  maxMessages?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** How long a room the user left keeps trying to deliver its unsent messages in the background. */
  flushDeadlineMs?: number;
}

const HISTORY_PAGE = 50;
/**
 * After a reconnect, members who were listed before it and come back within this long get no
 * "joined" line: after a server restart everyone reconnects, and that is not news.
 */
const QUIET_REJOIN_MS = 30_000;
const DEFAULT_FLUSH_DEADLINE_MS = 30_000;
const GAP_PAGE = 100;
const PERSISTED_MESSAGES = 200;
const TYPING_SEND_EVERY_MS = 2_000;
/**
 * The server drops an `active: true` that comes less than 1 s after the one before, even a restart
 * after `active: false`. The slack covers the first frame reaching a busy server late.
 */
const SERVER_TYPING_THROTTLE_MS = 1_000 + 250;
/** Both how long someone else's indicator lives without news and how long our own idles before we clear it. */
const TYPING_EXPIRES_MS = 5_000;
const DEFAULT_ACK_TIMEOUT_MS = 15_000;
const DEFAULT_MAX_MESSAGES = 5_000;

/** Which alerts each kind of later success makes stale. */
const RESOLVED_BY: Record<"renamed" | "sent", ReadonlyArray<ChatAlert["code"]>> = {
  renamed: ["name_taken"],
  sent: ["too_long_local"],
};

/** The one `history` request in flight: the server's answers carry no id, so we never ask twice at once. */
type HistoryRequest = { kind: "gap"; before: number } | { kind: "older"; before: number } | { kind: "continuity"; before: number };

/**
 * A resume's welcome held back until the server shows it still has our message at `since`: a store
 * that was reset and refilled past `since` would otherwise splice its new seqs onto our old log.
 */
interface ContinuityCheck {
  welcome: WelcomeFrame;
  since: number;
  /** The `id` of the message we hold at `since`. */
  id: string;
  /** Frames that came after the welcome, replayed once it is applied. */
  held: ServerFrame[];
}

/**
 * Everything one tab knows about its room: the ordered log, the outbox, members and typing.
 * It merges the welcome, history pages and the live stream by `seq`, so nothing shows twice and
 * no gap stays open. React reads it through `subscribe`/`getSnapshot`.
 */
export class ChatClient {
  private room: string;
  private requestedName: string | undefined;
  /** A rename asked for while offline: the session's old name wins on reconnect unless we repeat it. */
  private pendingRename: string | undefined;
  private session: string | undefined;
  private me: User | null = null;
  private members = new Map<string, User>();
  private memberCount = 0;
  private log = new MessageLog();
  private outbox: OutboxEntry[] = [];
  private clearedThroughSeq = 0;
  /** Set when a resume's welcome was incomplete and we hold nothing at or below `since`: fill down to it. */
  private backfillFloor: number | undefined;
  /** The `since` of the attempt in flight, to read its welcome. */
  private lastSince: number | undefined;
  private continuity: ContinuityCheck | null = null;
  /** Rooms left with unsent messages: the flush delivering them, or (once it ended) how many are left. */
  private readonly elsewhere = new Map<string, OutboxFlush | number>();
  private serverLatestSeq = 0;
  private typers = new Map<string, { user: User; expiresAt: number }>();
  private historyEdge: HistoryEdge = "more";
  private loadingOlder = false;
  private historyRequest: HistoryRequest | null = null;
  private limits: WelcomeLimits = DEFAULT_LIMITS;
  private alert: ChatAlert | null = null;
  private nameAdjusted: ChatSnapshot["nameAdjusted"] = null;
  private lastIncoming: ChatFrame | null = null;
  private incomingCount = 0;
  private lastTypingSentAt = Number.NEGATIVE_INFINITY;
  private typingActive = false;
  private typingIdleTimer: unknown = null;
  private lastTypingStartAt = Number.NEGATIVE_INFINITY;
  private typingStartTimer: unknown = null;
  private typersTimer: unknown = null;
  private outboxTimer: unknown = null;
  private readonly retryTimers = new Map<string, unknown>();
  private saveTimer: unknown = null;
  private wasOpen = false;
  /** Members listed before the last reconnect who are not back yet, and until when their return is quiet. */
  private quietRejoins = new Set<string>();
  private quietRejoinsUntil = 0;
  private previousStatus: ConnectionState["status"] = "closed";
  private snapshot: ChatSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly connection: Connection;

  constructor(private readonly options: ChatClientOptions) {
    this.room = options.room ?? DEFAULT_ROOM;
    const identity = options.storage.loadIdentity();
    this.session = identity.session;
    // A restored session keeps its own (possibly renamed) name; the URL's name only names a new participant.
    this.requestedName = identity.session ? (identity.name ?? options.name) : (options.name ?? identity.name);
    this.restoreRoom();
    this.connection = new Connection({
      url: () => this.url(),
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.linkLost ? { linkLost: options.linkLost } : {}),
      ...(options.probeTimeoutMs ? { probeTimeoutMs: options.probeTimeoutMs } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.pingIntervalMs ? { pingIntervalMs: options.pingIntervalMs } : {}),
      ...(options.pongTimeoutMs ? { pongTimeoutMs: options.pongTimeoutMs } : {}),
      onFrame: (frame) => this.onFrame(frame),
    });
    this.connection.subscribe(() => this.onConnectionChange());
    this.snapshot = this.buildSnapshot();
  }

  // ---- React's view -------------------------------------------------------------------------

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): ChatSnapshot => this.snapshot;

  // ---- commands -----------------------------------------------------------------------------

  get started(): boolean {
    return this.connection.getState().status !== "closed" || this.me !== null;
  }

  /** Whether this tab already has a name to join with (a restored session or an earlier choice). */
  get hasName(): boolean {
    return this.requestedName !== undefined;
  }

  start(): void {
    this.connection.start();
  }

  stop(): void {
    this.connection.stop();
  }

  retryNow(): void {
    this.connection.retryNow();
  }

  /** Joins the chat under `name`, or renames if already in. */
  setName(name: string): void {
    this.requestedName = name;
    this.options.storage.saveIdentity({ ...this.identity(), name });
    if (this.me && name === this.me.name) return;
    if (this.me) {
      this.pendingRename = name;
      this.sendRename();
    } else if (this.connection.getState().status === "closed") this.start();
  }

  switchRoom(room: string): void {
    if (room === this.room) return;
    this.persist();
    const leaving = { room: this.room, since: this.resumeFrom() };
    this.connection.stop();
    // Back to a room still being flushed: it hands over what is left through storage, read just below.
    const flush = this.elsewhere.get(room);
    this.elsewhere.delete(room);
    if (flush instanceof OutboxFlush) flush.stop();
    if (this.outbox.some(isUnsent)) this.flushElsewhere(leaving.room, leaving.since);
    this.room = room;
    this.me = null;
    this.members.clear();
    this.memberCount = 0;
    this.typers.clear();
    this.log = new MessageLog();
    this.historyEdge = "more";
    this.backfillFloor = undefined;
    this.loadingOlder = false;
    this.lastIncoming = null;
    this.wasOpen = false;
    this.restoreRoom();
    this.changed();
    this.connection.start();
  }

  /** Delivers the unsent messages of the room just left over a connection of their own, bounded in time. */
  private flushElsewhere(room: string, since: number | undefined): void {
    const count = this.outbox.filter(isUnsent).length;
    if (!this.session) {
      // No session yet: the server could not dedupe a resend, so they wait for the user's return.
      this.elsewhere.set(room, count);
      return;
    }
    const params = new URLSearchParams({ room });
    if (this.requestedName) params.set("name", this.requestedName);
    params.set("session", this.session);
    if (since !== undefined) params.set("since", String(since));
    const { options } = this;
    const flush: OutboxFlush = new OutboxFlush({
      room,
      url: `${options.endpoint}?${params}`,
      storage: options.storage,
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      deadlineMs: options.flushDeadlineMs ?? DEFAULT_FLUSH_DEADLINE_MS,
      onChange: () => {
        if (this.elsewhere.get(room) !== flush) return;
        if (flush.finished) {
          if (flush.unsent > 0) this.elsewhere.set(room, flush.unsent);
          else this.elsewhere.delete(room);
        }
        this.changed();
      },
    });
    this.elsewhere.set(room, flush);
    flush.start();
  }

  /** Queues a message: it shows at once as pending and is sent whenever a socket is open. */
  send(rawText: string): boolean {
    const text = rawText.trim();
    if (!text) return false;
    if (codePointLength(text) > this.limits.maxTextLength) {
      this.raise("too_long_local", `Messages can be at most ${this.limits.maxTextLength} characters.`);
      return false;
    }
    this.resolveAlerts("sent");
    const entry: OutboxEntry = { clientMsgId: newClientMsgId(), text, status: "pending", createdAt: this.options.timers.now(), sentAt: 0 };
    this.outbox.push(entry);
    this.stopTyping();
    this.transmit(entry);
    this.changed();
    // The outbox must survive a reload that comes right after Send.
    this.persist();
    return true;
  }

  retry(clientMsgId: string): void {
    const entry = this.outbox.find((candidate) => candidate.clientMsgId === clientMsgId);
    if (entry?.status !== "failed") return;
    entry.status = "pending";
    delete entry.failure;
    delete entry.failureCode;
    delete entry.unanswered;
    entry.sentAt = 0;
    this.transmit(entry);
    this.changed();
    this.persist();
  }

  discard(clientMsgId: string): void {
    this.outbox = this.outbox.filter((entry) => entry.clientMsgId !== clientMsgId);
    this.changed();
    this.persist();
  }

  /** Call on every keystroke; sends `typing` at most once per 2 s and clears it after 5 s of quiet. */
  noteTyping(): void {
    const { timers } = this.options;
    const now = timers.now();
    if (now - this.lastTypingSentAt >= TYPING_SEND_EVERY_MS && this.typingStartTimer === null) {
      // Typing again right after a send would be dropped by the server and not repeated for 2 s: send it once the server takes it.
      const wait = this.lastTypingStartAt + SERVER_TYPING_THROTTLE_MS - now;
      if (wait > 0) {
        this.typingStartTimer = timers.setTimeout(() => {
          this.typingStartTimer = null;
          this.sendTypingStart();
        }, wait);
      } else {
        this.sendTypingStart();
      }
    }
    timers.clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = timers.setTimeout(() => this.stopTyping(), TYPING_EXPIRES_MS);
  }

  stopTyping(): void {
    this.options.timers.clearTimeout(this.typingIdleTimer);
    this.typingIdleTimer = null;
    this.options.timers.clearTimeout(this.typingStartTimer);
    this.typingStartTimer = null;
    if (!this.typingActive) return;
    this.typingActive = false;
    this.lastTypingSentAt = Number.NEGATIVE_INFINITY;
    this.connection.send({ type: "typing", active: false });
  }

  private sendTypingStart(): void {
    const now = this.options.timers.now();
    if (!this.connection.send({ type: "typing", active: true })) return;
    this.lastTypingSentAt = now;
    this.lastTypingStartAt = now;
    this.typingActive = true;
  }

  /** Asks for the page of messages above the oldest one held (the UI calls it at the top of the log). */
  loadOlder(): void {
    if (this.loadingOlder || this.historyEdge !== "more") return;
    this.loadingOlder = true;
    this.pumpHistory();
    this.changed();
  }

  /** Hides everything received so far, like the seed's Clear button. Local only. */
  clear(): void {
    this.clearedThroughSeq = Math.max(this.clearedThroughSeq, this.log.newestSeq);
    this.log.clearThrough(this.clearedThroughSeq);
    this.backfillFloor = undefined;
    this.loadingOlder = false;
    this.historyEdge = "cleared";
    this.changed();
    this.persist();
  }

  dismissAlert(): void {
    this.alert = null;
    this.nameAdjusted = null;
    this.changed();
  }

  /** Writes the log and outbox now, e.g. on `pagehide`. */
  flushStorage(): void {
    this.persist();
  }

  // ---- the wire -----------------------------------------------------------------------------

  private url(): string {
    const params = new URLSearchParams({ room: this.room });
    if (this.requestedName) params.set("name", this.requestedName);
    if (this.session) params.set("session", this.session);
    this.lastSince = this.resumeFrom();
    if (this.lastSince !== undefined) params.set("since", String(this.lastSince));
    return `${this.options.endpoint}?${params}`;
  }

  /** The highest seq up to which this tab holds every message it should show. */
  private resumeFrom(): number | undefined {
    const oldest = this.log.oldestSeq;
    if (oldest === undefined) return this.clearedThroughSeq > 0 ? this.clearedThroughSeq : undefined;
    if (this.backfillFloor !== undefined) return this.backfillFloor;
    const gap = this.log.firstGapAfter(oldest);
    return gap ? gap.after : this.log.newestSeq;
  }

  private onFrame(frame: ServerFrame): void {
    if (this.continuity && frame.type !== "history" && frame.type !== "error" && frame.type !== "pong") {
      // Nothing of this connection reaches the log before its welcome is known to continue ours.
      this.continuity.held.push(frame);
      return;
    }
    switch (frame.type) {
      case "welcome":
        this.onWelcome(frame);
        break;
      case "chat":
        this.acceptLive([frame]);
        this.pumpHistory();
        this.changed();
        break;
      case "history":
        this.onHistory(frame);
        break;
      case "ack":
        this.onAck(frame);
        break;
      case "system":
        this.onSystem(frame);
        break;
      case "typing":
        this.onTyping(frame);
        break;
      case "error":
        this.onError(frame);
        break;
      case "pong":
        break;
    }
  }

  private onWelcome(frame: ServerFrameOf<"welcome">): void {
    const since = this.lastSince;
    const heldAtSince = since !== undefined && since > 0 && frame.latestSeq >= since ? this.log.at(since) : undefined;
    if (since !== undefined && heldAtSince) {
      // Ask for the server's message at `since` (one history page of one) and apply the welcome once it answers.
      this.continuity = { welcome: frame, since, id: heldAtSince.id, held: [] };
      this.pumpHistory();
      this.changed();
      return;
    }
    // The server holds less than we do: its store was reset, so our log no longer matches it.
    this.applyWelcome(frame, since, since !== undefined && frame.latestSeq < since);
  }

  /** The answer to the continuity check: apply the held welcome, as a fresh start if the store was reset. */
  private onContinuity(frame: ServerFrameOf<"history">): void {
    const check = this.continuity;
    if (!check) return;
    this.continuity = null;
    const theirs = frame.messages.find((message) => message.seq === check.since);
    // No message there (trimmed) cannot be verified either way: carry on as a normal resume.
    const storeReset = theirs !== undefined && theirs.id !== check.id;
    this.applyWelcome(check.welcome, check.since, storeReset);
    for (const held of check.held) this.onFrame(held);
  }

  private applyWelcome(frame: WelcomeFrame, since: number | undefined, storeReset: boolean): void {
    if (storeReset) this.forgetServerState();
    if (this.requestedName && frame.you.name !== this.requestedName && this.pendingRename === undefined) {
      this.nameAdjusted = { requested: this.requestedName, given: frame.you.name };
    }
    this.me = frame.you;
    this.session = frame.session;
    this.requestedName = frame.you.name;
    this.options.storage.saveIdentity(this.identity());
    this.limits = frame.limits;
    this.serverLatestSeq = frame.latestSeq;
    const listedBefore = this.members;
    this.members = new Map(frame.members.map((user) => [user.id, user]));
    this.quietRejoins = new Set(this.wasOpen && !storeReset ? [...listedBefore.keys()].filter((id) => !this.members.has(id)) : []);
    this.quietRejoinsUntil = this.options.timers.now() + QUIET_REJOIN_MS;
    this.memberCount = frame.memberCount;
    this.typers.clear();
    this.historyRequest = null;

    const heldBefore = this.log.oldestSeq;
    this.accept(frame.messages, "welcome");
    // A resume that could not carry everything after `since`: fetch the rest, unless what we hold already bounds it.
    if (!storeReset && since !== undefined && !frame.complete && (heldBefore === undefined || heldBefore > since)) {
      this.backfillFloor = since;
    }
    if (frame.latestSeq === 0 || this.log.oldestSeq === 1) this.historyEdge = "start";
    else if (since === undefined && frame.complete && this.clearedThroughSeq === 0) this.historyEdge = "start";
    // After a reset the log holds at most what came after `since`: fill the newest page like a first visit would.
    if (storeReset && frame.latestSeq > 0 && this.log.size < HISTORY_PAGE && this.historyEdge === "more") this.loadingOlder = true;

    // Acked entries whose echo we may have missed are in the store: the log has them now or they are older than it.
    this.outbox = this.outbox.filter((entry) => entry.status !== "sent" || (entry.seq ?? 0) > frame.latestSeq);
    for (const entry of this.outbox) if (entry.status === "pending") this.transmit(entry);
    if (this.pendingRename !== undefined) {
      if (this.pendingRename === frame.you.name) this.pendingRename = undefined;
      else this.sendRename();
    }
    if (this.wasOpen) this.log.addEvent({ kind: "connected" }, this.options.timers.now());
    this.wasOpen = true;
    this.pumpHistory();
    this.changed();
  }

  /** After a store reset nothing we hold matches the server's seqs; acked messages it lost are sent again. */
  private forgetServerState(): void {
    this.log.clear();
    this.clearedThroughSeq = 0;
    this.backfillFloor = undefined;
    this.historyEdge = "more";
    for (const entry of this.outbox) {
      if (entry.status !== "sent") continue;
      entry.status = "pending";
      entry.sentAt = 0;
      delete entry.seq;
    }
  }

  private acceptLive(messages: readonly ChatFrame[]): void {
    for (const message of this.accept(messages, "live")) {
      if (message.from.id === this.me?.id) continue;
      this.lastIncoming = message;
      this.incomingCount++;
    }
  }

  /** Merges chats from any source; returns the ones that were new. */
  private accept(messages: readonly ChatFrame[], source: "welcome" | "live" | "history"): ChatFrame[] {
    const fresh = this.log.merge(messages.filter((message) => message.seq > this.clearedThroughSeq));
    for (const message of fresh) {
      if (message.from.id === this.me?.id) this.outbox = this.outbox.filter((entry) => entry.clientMsgId !== message.clientMsgId);
      this.typers.delete(message.from.id);
      this.serverLatestSeq = Math.max(this.serverLatestSeq, message.seq);
    }
    // Older pages the reader asked for are kept; the cap bites as the live end grows.
    if (source !== "history" && this.log.trim(this.options.maxMessages ?? DEFAULT_MAX_MESSAGES) > 0) {
      this.historyEdge = "more";
      if (this.backfillFloor !== undefined && (this.log.oldestSeq ?? 0) > this.backfillFloor + 1) this.backfillFloor = undefined;
    }
    return fresh;
  }

  /** The first hole the log should not have: inside it, or between a resume's `since` and the welcome. */
  private nextGap(): { after: number; before: number } | undefined {
    const oldest = this.log.oldestSeq;
    if (oldest === undefined) return undefined;
    if (this.backfillFloor !== undefined) {
      if (oldest > this.backfillFloor + 1) return { after: this.backfillFloor, before: oldest };
      this.backfillFloor = undefined;
    }
    return this.log.firstGapAfter(oldest);
  }

  /** Sends the next `history` request, if none is in flight: holes first, then an older page. */
  private pumpHistory(): void {
    if (this.historyRequest || this.connection.getState().status !== "open") return;
    if (this.continuity) {
      const before = this.continuity.since + 1;
      if (this.connection.send({ type: "history", before, limit: 1 })) this.historyRequest = { kind: "continuity", before };
      return;
    }
    if (!this.me) return;
    const gap = this.nextGap();
    if (gap) {
      const missing = gap.before - gap.after - 1;
      const max = this.options.maxMessages ?? DEFAULT_MAX_MESSAGES;
      if (missing + (this.log.size - this.log.countBelow(gap.before)) > max) {
        // The hole is bigger than what we keep: drop what lies under it and let paging reach back instead.
        this.log.dropBelow(gap.before);
        this.backfillFloor = undefined;
        this.historyEdge = "more";
        this.pumpHistory();
        return;
      }
      if (this.connection.send({ type: "history", before: gap.before, limit: Math.min(GAP_PAGE, missing) })) {
        this.historyRequest = { kind: "gap", before: gap.before };
      }
      return;
    }
    if (!this.loadingOlder) return;
    const before = this.log.oldestSeq ?? this.serverLatestSeq + 1;
    if (before <= 1 || before <= this.clearedThroughSeq + 1) {
      this.loadingOlder = false;
      this.historyEdge = before <= 1 ? "start" : "cleared";
      return;
    }
    if (this.connection.send({ type: "history", before, limit: HISTORY_PAGE })) this.historyRequest = { kind: "older", before };
  }

  private onHistory(frame: ServerFrameOf<"history">): void {
    const request = this.historyRequest;
    this.historyRequest = null;
    if (request?.kind === "continuity") {
      this.onContinuity(frame);
      return;
    }
    const fresh = this.accept(frame.messages, "history");
    if (request?.kind === "gap" && fresh.length === 0) {
      // The server no longer has that stretch (trimmed or reset): what lies below it cannot be joined up.
      this.log.dropBelow(request.before);
      this.backfillFloor = undefined;
      this.historyEdge = "unavailable";
    } else if (request?.kind === "older") {
      this.loadingOlder = false;
      if (this.log.oldestSeq === 1) this.historyEdge = "start";
      else if (!frame.hasOlder || fresh.length === 0) this.historyEdge = this.log.size === 0 ? "start" : "unavailable";
    }
    this.pumpHistory();
    this.changed();
  }

  private onAck(frame: ServerFrameOf<"ack">): void {
    const entry = this.outbox.find((candidate) => candidate.clientMsgId === frame.clientMsgId);
    if (!entry) return;
    this.cancelRetry(entry.clientMsgId);
    if (this.log.has(frame.seq)) this.outbox = this.outbox.filter((candidate) => candidate !== entry);
    else {
      entry.status = "sent";
      entry.seq = frame.seq;
      delete entry.failure;
      delete entry.failureCode;
    }
    this.changed();
  }

  private onSystem(frame: ServerFrameOf<"system">): void {
    const now = frame.ts;
    for (const user of frame.joined) {
      this.members.set(user.id, user);
      const quiet = this.quietRejoins.delete(user.id) && this.options.timers.now() < this.quietRejoinsUntil;
      if (user.id !== this.me?.id && !quiet) this.log.addEvent({ kind: "joined", user }, now);
    }
    for (const user of frame.left) {
      this.members.delete(user.id);
      this.typers.delete(user.id);
      this.log.addEvent({ kind: "left", user }, now);
    }
    for (const { user, previousName } of frame.renamed) {
      this.members.set(user.id, user);
      this.log.addEvent({ kind: "renamed", user, previousName }, now);
      const typer = this.typers.get(user.id);
      if (typer) typer.user = user;
      if (user.id === this.me?.id) {
        this.me = user;
        this.requestedName = user.name;
        if (this.pendingRename === user.name) {
          // The rename we asked for went through: a refused earlier one, or a suffix at join, is old news.
          // (Only this one: a success of an older rename can arrive after a newer one was refused.)
          this.pendingRename = undefined;
          this.resolveAlerts("renamed");
        }
        this.options.storage.saveIdentity(this.identity());
      }
    }
    if (frame.notice) this.log.addEvent({ kind: "notice", text: frame.notice }, now);
    this.memberCount = frame.memberCount;
    this.changed();
  }

  private onTyping(frame: ServerFrameOf<"typing">): void {
    if (frame.user.id === this.me?.id) return;
    if (frame.active) this.typers.set(frame.user.id, { user: frame.user, expiresAt: this.options.timers.now() + TYPING_EXPIRES_MS });
    else this.typers.delete(frame.user.id);
    this.scheduleTypingExpiry();
    this.changed();
  }

  private onError(frame: ServerFrameOf<"error">): void {
    const entry = frame.clientMsgId ? this.outbox.find((candidate) => candidate.clientMsgId === frame.clientMsgId) : undefined;
    if (entry) {
      if (entry.status !== "pending") return;
      if (frame.code === "rate_limited" || frame.code === "server_error") {
        // Not stored, but not refused either: send the same id again once the server is ready for it.
        // `sentAt` is kept, so a message the server keeps turning away still fails after the ack timeout.
        this.scheduleRetry(entry, frame.retryAfterMs ?? 1_000);
      } else {
        entry.status = "failed";
        entry.failure = frame.message;
        entry.failureCode = frame.code;
        this.persist();
      }
      this.changed();
      return;
    }
    if (frame.code === "rate_limited" && this.historyRequest) {
      // The refused frame was the history request in flight (one at a time): ask again when allowed.
      this.historyRequest = null;
      this.options.timers.setTimeout(() => this.pumpHistory(), frame.retryAfterMs ?? 1_000);
      return;
    }
    if (frame.code === "name_taken") {
      const refused = this.pendingRename;
      this.pendingRename = undefined;
      this.requestedName = this.me?.name;
      this.options.storage.saveIdentity(this.identity());
      this.raise(frame.code, frame.message, refused);
      return;
    }
    this.raise(frame.code, frame.message);
  }

  private onConnectionChange(): void {
    const state = this.connection.getState();
    if (state.status === "reconnecting" && this.previousStatus === "open" && this.me) {
      this.log.addEvent({ kind: "disconnected" }, this.options.timers.now());
    }
    this.previousStatus = state.status;
    if (state.status !== "open") {
      // Whatever was in flight on the old socket is answered on the next one or not at all.
      this.historyRequest = null;
      this.continuity = null;
      this.typingActive = false;
      // Unanswered sends may never have reached the server: they are pending again, for the next welcome.
      for (const entry of this.outbox) {
        requeueUnanswered(entry);
        entry.sentAt = 0;
      }
      for (const id of [...this.retryTimers.keys()]) this.cancelRetry(id);
    }
    if (state.status === "closed" && state.reason !== "stopped") this.loadingOlder = false;
    if (state.status === "closed" && state.reason === "replaced") this.session = undefined;
    this.changed();
  }

  private sendRename(): void {
    if (this.pendingRename !== undefined) this.connection.send({ type: "rename", name: this.pendingRename });
  }

  private transmit(entry: OutboxEntry): void {
    // While a resume is being checked, acks could not be matched against the log: the welcome sends them.
    if (entry.status !== "pending" || !this.me || this.continuity) return;
    if (this.connection.send({ type: "chat", text: entry.text, clientMsgId: entry.clientMsgId })) {
      if (entry.sentAt === 0) entry.sentAt = this.options.timers.now();
      this.scheduleOutboxCheck();
    }
  }

  private scheduleRetry(entry: OutboxEntry, delayMs: number): void {
    if (this.retryTimers.has(entry.clientMsgId)) return;
    const handle = this.options.timers.setTimeout(() => {
      this.retryTimers.delete(entry.clientMsgId);
      if (this.outbox.includes(entry)) this.transmit(entry);
    }, delayMs);
    this.retryTimers.set(entry.clientMsgId, handle);
  }

  private cancelRetry(clientMsgId: string): void {
    if (!this.retryTimers.has(clientMsgId)) return;
    this.options.timers.clearTimeout(this.retryTimers.get(clientMsgId));
    this.retryTimers.delete(clientMsgId);
  }

  /** Wakes up when the oldest unanswered send reaches the ack timeout. */
  private scheduleOutboxCheck(): void {
    const { timers } = this.options;
    const timeout = this.options.ackTimeoutMs ?? DEFAULT_ACK_TIMEOUT_MS;
    timers.clearTimeout(this.outboxTimer);
    this.outboxTimer = null;
    const waiting = this.outbox.filter((entry) => entry.status === "pending" && entry.sentAt > 0);
    if (waiting.length === 0) return;
    const due = Math.min(...waiting.map((entry) => entry.sentAt)) + timeout;
    this.outboxTimer = timers.setTimeout(
      () => {
        this.outboxTimer = null;
        const now = timers.now();
        let failed = false;
        for (const entry of this.outbox) {
          if (entry.status === "pending" && entry.sentAt > 0 && now - entry.sentAt >= timeout) {
            entry.status = "failed";
            entry.failure = "No answer from the server.";
            entry.unanswered = true;
            this.cancelRetry(entry.clientMsgId);
            failed = true;
          }
        }
        this.scheduleOutboxCheck();
        if (failed) {
          // Silence is evidence the link may be dead although the socket looks open: check it now.
          this.connection.probe();
          this.changed();
          this.persist();
        }
      },
      Math.max(0, due - timers.now()),
    );
  }

  private scheduleTypingExpiry(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.typersTimer);
    this.typersTimer = null;
    if (this.typers.size === 0) return;
    const next = Math.min(...[...this.typers.values()].map((typer) => typer.expiresAt));
    this.typersTimer = timers.setTimeout(
      () => {
        const now = timers.now();
        for (const [id, typer] of this.typers) if (typer.expiresAt <= now) this.typers.delete(id);
        this.scheduleTypingExpiry();
        this.changed();
      },
      Math.max(0, next - timers.now()),
    );
  }

  /** Clears the alerts a later success answers: a rename that went through, a message that fit. */
  private resolveAlerts(success: keyof typeof RESOLVED_BY): void {
    if (success === "renamed") this.nameAdjusted = null;
    if (this.alert && RESOLVED_BY[success].includes(this.alert.code)) this.alert = null;
  }

  private raise(code: ChatAlert["code"], message: string, name?: string): void {
    this.alert = { code, message, ...(name !== undefined ? { name } : {}), id: (this.alert?.id ?? 0) + 1 };
    this.changed();
  }

  private identity() {
    return { ...(this.session ? { session: this.session } : {}), ...(this.requestedName ? { name: this.requestedName } : {}) };
  }

  private restoreRoom(): void {
    const saved = this.options.storage.loadRoom(this.room);
    this.clearedThroughSeq = saved.clearedThroughSeq;
    this.log.merge(saved.messages.filter((message) => message.seq > saved.clearedThroughSeq));
    if (this.log.oldestSeq === 1) this.historyEdge = "start";
    else if (saved.clearedThroughSeq > 0) this.historyEdge = "unavailable";
    this.outbox = saved.outbox.map((entry) => {
      const copy = { ...entry, sentAt: 0 };
      requeueUnanswered(copy);
      return copy;
    });
  }

  private persist(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const messages = this.log.messages;
    this.options.storage.saveRoom(this.room, {
      // Only a contiguous tail is worth keeping: the resume's `since` is its newest seq.
      messages: contiguousTail(messages, PERSISTED_MESSAGES),
      outbox: this.outbox,
      clearedThroughSeq: this.clearedThroughSeq,
    });
  }

  private changed(): void {
    this.snapshot = this.buildSnapshot();
    if (this.saveTimer === null) this.saveTimer = this.options.timers.setTimeout(() => this.persist(), 250);
    for (const listener of this.listeners) listener();
  }

  private buildSnapshot(): ChatSnapshot {
    return {
      connection: this.connection.getState(),
      room: this.room,
      me: this.me,
      members: [...this.members.values()],
      memberCount: this.memberCount,
      items: this.log.items(),
      outbox: this.outbox.map((entry) => ({ ...entry })),
      typing: [...this.typers.values()].map((typer) => typer.user),
      historyEdge: this.historyEdge,
      loadingOlder: this.loadingOlder,
      limits: this.limits,
      alert: this.alert,
      nameAdjusted: this.nameAdjusted,
      lastIncoming: this.lastIncoming,
      incomingCount: this.incomingCount,
      unsentElsewhere: [...this.elsewhere].map(([room, flush]) =>
        flush instanceof OutboxFlush ? { room, count: flush.unsent, sending: true } : { room, count: flush, sending: false },
      ),
    };
  }
}

/** The newest run of consecutive seqs, at most `max` long. */
function contiguousTail(messages: readonly ChatFrame[], max: number): ChatFrame[] {
  let start = messages.length - 1;
  const floor = Math.max(0, messages.length - max);
  while (start > floor && (messages[start - 1] as ChatFrame).seq === (messages[start] as ChatFrame).seq - 1) start--;
  return messages.slice(Math.max(start, 0));
}
