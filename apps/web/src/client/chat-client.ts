import {
  type ChatFrame,
  codePointLength,
  DEFAULT_LIMITS,
  DEFAULT_ROOM,
  type ErrorCode,
  type ServerFrame,
  type ServerFrameOf,
  type User,
  type WelcomeLimits,
} from "@chatroom/protocol";
import type { Backoff } from "./backoff";
import { Connection, type ConnectionTimers, type SocketFactory, type Wakeups } from "./connection";
import type { ConnectionState } from "./connection-machine";
import { type LogItem, MessageLog } from "./message-log";
import { newClientMsgId, type OutboxEntry } from "./outbox";
import type { ClientStorage } from "./storage";

export type HistoryEdge = "more" | "start" | "unavailable";

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
  alert: { code: ErrorCode | "too_long_local"; message: string; id: number } | null;
  /** Set when the name we asked for was taken and the server gave us another. */
  nameAdjusted: { requested: string; given: string } | null;
  /** Newest chat from someone else, for announcements and unread counts. */
  lastIncoming: ChatFrame | null;
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
  backoff?: Backoff;
  /** Unacked sends over an open socket turn failed after this long. */
  ackTimeoutMs?: number;
  /** How many messages the tab keeps in memory and storage. */
  maxMessages?: number;
}

const HISTORY_PAGE = 50;
const GAP_PAGE = 100;
const TYPING_SEND_EVERY_MS = 2_000;
const TYPING_EXPIRES_MS = 5_000;

/**
 * Everything one tab knows about its room: the ordered log, the outbox, members and typing.
 * It merges the welcome, history pages and the live stream by `seq`, so nothing shows twice and
 * no gap stays open. React reads it through `subscribe`/`getSnapshot`.
 */
export class ChatClient {
  private room: string;
  private requestedName: string | undefined;
  private session: string | undefined;
  private me: User | null = null;
  private members = new Map<string, User>();
  private memberCount = 0;
  private log = new MessageLog();
  private outbox: OutboxEntry[] = [];
  private clearedThroughSeq = 0;
  private typers = new Map<string, { user: User; expiresAt: number }>();
  private historyEdge: HistoryEdge = "more";
  private loadingOlder = false;
  private fillingGap = false;
  private limits: WelcomeLimits = DEFAULT_LIMITS;
  private alert: ChatSnapshot["alert"] = null;
  private nameAdjusted: ChatSnapshot["nameAdjusted"] = null;
  private lastIncoming: ChatFrame | null = null;
  private lastTypingSentAt = Number.NEGATIVE_INFINITY;
  private typingActive = false;
  private typingTimer: unknown = null;
  private outboxTimer: unknown = null;
  private saveTimer: unknown = null;
  private wasOpen = false;
  private snapshot: ChatSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly connection: Connection;

  constructor(private readonly options: ChatClientOptions) {
    this.room = options.room ?? DEFAULT_ROOM;
    const identity = options.storage.loadIdentity();
    this.session = identity.session;
    this.requestedName = options.name ?? identity.name;
    this.restoreRoom();
    this.connection = new Connection({
      url: () => this.url(),
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.backoff ? { backoff: options.backoff } : {}),
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
    if (this.connection.getState().status === "open" && this.me) this.connection.send({ type: "rename", name });
    else if (this.connection.getState().status === "closed") this.start();
  }

  switchRoom(room: string): void {
    if (room === this.room) return;
    this.persist();
    this.connection.stop();
    this.room = room;
    this.me = null;
    this.members.clear();
    this.memberCount = 0;
    this.typers.clear();
    this.log = new MessageLog();
    this.historyEdge = "more";
    this.lastIncoming = null;
    this.restoreRoom();
    this.changed();
    this.connection.start();
  }

  /** Queues a message: it shows at once as pending and is sent whenever a socket is open. */
  send(rawText: string): boolean {
    const text = rawText.trim();
    if (!text) return false;
    if (codePointLength(text) > this.limits.maxTextLength) {
      this.raise("too_long_local", `Messages can be at most ${this.limits.maxTextLength} characters.`);
      return false;
    }
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
    entry.sentAt = 0;
    this.transmit(entry);
    this.changed();
  }

  discard(clientMsgId: string): void {
    this.outbox = this.outbox.filter((entry) => entry.clientMsgId !== clientMsgId);
    this.changed();
  }

  /** Call on every keystroke; sends `typing` at most once per 2 s. */
  noteTyping(): void {
    const now = this.options.timers.now();
    if (now - this.lastTypingSentAt >= TYPING_SEND_EVERY_MS) {
      if (this.connection.send({ type: "typing", active: true })) {
        this.lastTypingSentAt = now;
        this.typingActive = true;
      }
    }
  }

  stopTyping(): void {
    if (!this.typingActive) return;
    this.typingActive = false;
    this.lastTypingSentAt = Number.NEGATIVE_INFINITY;
    this.connection.send({ type: "typing", active: false });
  }

  loadOlder(): void {
    if (this.loadingOlder || this.historyEdge !== "more") return;
    const oldest = this.log.oldestSeq;
    if (oldest === undefined || oldest <= 1) {
      this.historyEdge = "start";
      this.changed();
      return;
    }
    if (this.connection.send({ type: "history", before: oldest, limit: HISTORY_PAGE })) {
      this.loadingOlder = true;
      this.changed();
    }
  }

  /** Hides everything received so far, like the seed's Clear button. Local only. */
  clear(): void {
    this.clearedThroughSeq = this.log.newestSeq;
    this.log.clearThrough(this.clearedThroughSeq);
    this.historyEdge = "unavailable";
    this.changed();
  }

  dismissAlert(): void {
    this.alert = null;
    this.nameAdjusted = null;
    this.changed();
  }

  // ---- the wire -----------------------------------------------------------------------------

  private url(): string {
    const params = new URLSearchParams({ room: this.room });
    if (this.requestedName) params.set("name", this.requestedName);
    if (this.session) params.set("session", this.session);
    const since = this.resumeFrom();
    if (since !== undefined) params.set("since", String(since));
    return `${this.options.endpoint}?${params}`;
  }

  /** The highest seq up to which this tab holds every message. */
  private resumeFrom(): number | undefined {
    const oldest = this.log.oldestSeq;
    if (oldest === undefined) return this.clearedThroughSeq > 0 ? this.clearedThroughSeq : undefined;
    const gap = this.log.firstGapAfter(oldest);
    return gap ? gap.after : this.log.newestSeq;
  }

  private onFrame(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        this.onWelcome(frame);
        break;
      case "chat":
        this.acceptChats([frame]);
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
    const resumed = this.resumeFrom();
    // The server holds less than we do: its store was reset, so our log no longer matches it.
    if (resumed !== undefined && frame.latestSeq < resumed) {
      this.log.clear();
      this.clearedThroughSeq = 0;
    }
    if (this.requestedName && frame.you.name !== this.requestedName && !this.session) {
      this.nameAdjusted = { requested: this.requestedName, given: frame.you.name };
    }
    this.me = frame.you;
    this.session = frame.session;
    this.requestedName = frame.you.name;
    this.options.storage.saveIdentity(this.identity());
    this.limits = frame.limits;
    this.members = new Map(frame.members.map((user) => [user.id, user]));
    this.memberCount = frame.memberCount;
    this.typers.clear();
    this.acceptChats(frame.messages);
    if (frame.latestSeq === 0 || this.log.oldestSeq === 1) this.historyEdge = "start";
    this.fillingGap = false;
    this.fillGaps(frame.complete ? undefined : frame.messages[0]?.seq);
    // Acked entries whose echo we may have missed are in the store: the log has them now or they are older than it.
    this.outbox = this.outbox.filter((entry) => entry.status !== "sent" || (entry.seq ?? 0) > frame.latestSeq);
    for (const entry of this.outbox) if (entry.status === "pending") this.transmit(entry);
    if (this.wasOpen) this.log.addEvent({ kind: "connected" }, this.options.timers.now());
    this.wasOpen = true;
    this.changed();
  }

  private acceptChats(messages: readonly ChatFrame[]): void {
    const fresh = this.log.merge(messages.filter((message) => message.seq > this.clearedThroughSeq));
    for (const message of fresh) {
      const mine = this.me !== null && message.from.id === this.me.id;
      if (mine) this.outbox = this.outbox.filter((entry) => entry.clientMsgId !== message.clientMsgId);
      else this.lastIncoming = message;
      this.typers.delete(message.from.id);
    }
    const max = this.options.maxMessages ?? 5_000;
    if (this.log.size > max) {
      this.log.trim(max);
      this.historyEdge = "more";
    }
    if (fresh.length > 0) this.fillGaps();
  }

  /** Asks for the first hole in the log, one page at a time, until there is none. */
  private fillGaps(backfillBefore?: number): void {
    if (this.fillingGap) return;
    const oldest = this.log.oldestSeq;
    if (oldest === undefined) return;
    const gap = this.log.firstGapAfter(oldest);
    const before = gap?.before ?? backfillBefore;
    if (before === undefined) return;
    const after = gap?.after ?? Math.max(this.clearedThroughSeq, 0);
    if (before - after <= 1) return;
    if (this.connection.send({ type: "history", before, limit: Math.min(GAP_PAGE, before - after - 1) })) this.fillingGap = true;
  }

  private onHistory(frame: ServerFrameOf<"history">): void {
    const wasLoadingOlder = this.loadingOlder && !this.fillingGap;
    this.loadingOlder = false;
    this.fillingGap = false;
    this.acceptChats(frame.messages);
    if (wasLoadingOlder || frame.messages.length === 0) {
      if (!frame.hasOlder) this.historyEdge = this.log.oldestSeq === 1 || this.log.size === 0 ? "start" : "unavailable";
    }
    this.fillGaps();
    this.changed();
  }

  private onAck(frame: ServerFrameOf<"ack">): void {
    const entry = this.outbox.find((candidate) => candidate.clientMsgId === frame.clientMsgId);
    if (!entry) return;
    if (this.log.has(frame.seq)) this.outbox = this.outbox.filter((candidate) => candidate !== entry);
    else {
      entry.status = "sent";
      entry.seq = frame.seq;
      delete entry.failure;
    }
    this.changed();
  }

  private onSystem(frame: ServerFrameOf<"system">): void {
    const now = frame.ts;
    for (const user of frame.joined) {
      this.members.set(user.id, user);
      if (user.id !== this.me?.id) this.log.addEvent({ kind: "joined", user }, now);
    }
    for (const user of frame.left) {
      this.members.delete(user.id);
      this.typers.delete(user.id);
      this.log.addEvent({ kind: "left", user }, now);
    }
    for (const { user, previousName } of frame.renamed) {
      this.members.set(user.id, user);
      this.log.addEvent({ kind: "renamed", user, previousName }, now);
      if (user.id === this.me?.id) {
        this.me = user;
        this.requestedName = user.name;
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
      if (frame.code === "rate_limited" || frame.code === "server_error") {
        // Still pending: try the same id again once the server is ready for it.
        entry.sentAt = 0;
        this.options.timers.setTimeout(() => this.transmit(entry), frame.retryAfterMs ?? 1_000);
      } else {
        entry.status = "failed";
        entry.failure = frame.message;
      }
      this.changed();
      return;
    }
    if (frame.code === "name_taken") this.requestedName = this.me?.name;
    this.raise(frame.code, frame.message);
  }

  private onConnectionChange(): void {
    const state = this.connection.getState();
    if (state.status === "reconnecting" && this.wasOpen && this.me) {
      this.log.addEvent({ kind: "disconnected" }, this.options.timers.now());
    }
    if (state.status !== "open") {
      this.loadingOlder = false;
      this.fillingGap = false;
      for (const entry of this.outbox) entry.sentAt = 0;
    }
    if (state.status === "closed" && state.reason === "replaced") this.session = undefined;
    this.changed();
  }

  private transmit(entry: OutboxEntry): void {
    if (entry.status !== "pending" || !this.me) return;
    if (this.connection.send({ type: "chat", text: entry.text, clientMsgId: entry.clientMsgId })) {
      entry.sentAt = this.options.timers.now();
      this.scheduleOutboxCheck();
    }
  }

  private scheduleOutboxCheck(): void {
    if (this.outboxTimer !== null) return;
    const timeout = this.options.ackTimeoutMs ?? 15_000;
    this.outboxTimer = this.options.timers.setTimeout(() => {
      this.outboxTimer = null;
      const now = this.options.timers.now();
      let changed = false;
      for (const entry of this.outbox) {
        if (entry.status === "pending" && entry.sentAt > 0 && now - entry.sentAt >= timeout) {
          entry.status = "failed";
          entry.failure = "No answer from the server.";
          changed = true;
        }
      }
      if (this.outbox.some((entry) => entry.status === "pending" && entry.sentAt > 0)) this.scheduleOutboxCheck();
      if (changed) this.changed();
    }, timeout);
  }

  private scheduleTypingExpiry(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.typingTimer);
    if (this.typers.size === 0) return;
    const next = Math.min(...[...this.typers.values()].map((typer) => typer.expiresAt));
    this.typingTimer = timers.setTimeout(
      () => {
        const now = timers.now();
        for (const [id, typer] of this.typers) if (typer.expiresAt <= now) this.typers.delete(id);
        this.scheduleTypingExpiry();
        this.changed();
      },
      Math.max(0, next - timers.now()),
    );
  }

  private raise(code: ErrorCode | "too_long_local", message: string): void {
    this.alert = { code, message, id: (this.alert?.id ?? 0) + 1 };
    this.changed();
  }

  private identity() {
    return { ...(this.session ? { session: this.session } : {}), ...(this.requestedName ? { name: this.requestedName } : {}) };
  }

  private restoreRoom(): void {
    const saved = this.options.storage.loadRoom(this.room);
    this.clearedThroughSeq = saved.clearedThroughSeq;
    this.log.merge(saved.messages);
    this.outbox = saved.outbox.map((entry) => (entry.status === "sent" ? entry : { ...entry, sentAt: 0 }));
  }

  private persist(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    this.options.storage.saveRoom(this.room, {
      messages: this.log.messages.slice(-200),
      outbox: this.outbox,
      clearedThroughSeq: this.clearedThroughSeq,
    });
  }

  /** Writes the outbox right away (it must survive a reload) and the log soon after. */
  flushStorage(): void {
    this.persist();
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
    };
  }
}
