/**
 * A protocol 2 client written from docs/protocol.md alone, with plain `ws` and JSON: nothing of
 * the project's client, protocol or server code. It holds several rooms on one connection, keeps
 * a log per room keyed by `seq`, an outbox per room, resumes with `since` and the session from
 * `ready`, fills `complete: false` gaps with `after` pages and a first join's older part with
 * `before` pages, and records every place where the server breaks a promise of the doc as a
 * violation (`violations`), instead of throwing: the test asserts there are none.
 */
import { EventEmitter } from "node:events";
import WebSocket from "ws";

type Frame = Record<string, unknown>;

/** One stored room event as this client holds it. */
export interface Entry {
  seq: number;
  /** `chat`, or the type of a stored event kind this client does not know. */
  type: string;
  id?: string;
  text?: string;
  clientMsgId?: string;
  fromId?: string;
  ts?: number;
}

export interface ReadyRoom {
  room: string;
  latestSeq: number;
  readSeq: number;
  unread: number;
}

export interface ReadyRecord {
  connection: number;
  /** Which server process (the test's generation counter) answered. */
  serverGeneration: number;
  youId: string;
  session: string;
  rooms: ReadyRoom[];
}

export interface DocClientOptions {
  url: string;
  name: string;
  /** Prefix of this client's clientMsgIds, so they never collide with the other client's. */
  tag: string;
  rooms: string[];
  /** Rooms whose read marker this client moves (the others keep piling up unread). */
  readRooms: string[];
  random: () => number;
  /** The server's WELCOME_LATEST and WELCOME_SINCE_MAX, to check `joined` sizes against. */
  welcomeLatest: number;
  welcomeSinceMax: number;
  /** `limit` of our history pages (1–100). */
  historyLimit: number;
  /** Unacked messages kept in flight while connected, and how many the outbox may hold offline. */
  windowOnline: number;
  windowOffline: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** The test's server generation, read when a `ready` arrives. */
  serverGeneration: () => number;
}

export interface RoomState {
  name: string;
  log: Map<number, Entry>;
  everJoined: boolean;
  /** The recipe's `highest`: every seq from `anchor` to it is held. */
  anchor: number;
  highest: number;
  /** clientMsgId → text, in the order the user sent them, until acked. */
  outbox: Map<string, string>;
  // Per connection:
  state: "idle" | "joining" | "joined";
  sinceSent: number | undefined;
  /** The highest seq this connection has been sent for the room: `joined.latestSeq`, then live. */
  connLast: number;
  fill: { kind: "after"; after: number } | { kind: "before"; before: number } | null;
  historyInFlight: boolean;
  readDoneThisConn: boolean;
  // Across connections:
  initialReadSeq: number | undefined;
  readsSent: number[];
  lastReadSent: number;
  /** The `read` value most recently sent, to resend on `rate_limited`. */
  readInFlight: number | undefined;
}

const NO_RECONNECT = new Set([1000, 1002, 1003, 1007, 1008, 1009, 4001, 4501, 4505]);

/** A chat in a page stands as it is now ([3/6]): `rev` always, the rest when something changed it. */
const CHAT_KEYS = {
  required: ["type", "room", "seq", "id", "from", "text", "ts"],
  optional: ["clientMsgId", "rev", "replyTo", "edited", "deleted", "reactions", "mentions", "mentionsRoom"],
};
/** Allowed keys per server frame type, from the doc's "Server → client frames". */
const SERVER_KEYS: Record<string, { required: string[]; optional: string[] }> = {
  ready: { required: ["type", "protocol", "you", "session", "rooms", "limits"], optional: [] },
  joined: {
    required: [
      "type",
      "room",
      "you",
      "members",
      "memberCount",
      "messages",
      "latestSeq",
      "complete",
      "readSeq",
      "unreadMentions",
      "notify",
      "role",
      "private",
      "locked",
      "slowModeMs",
      "staff",
    ],
    optional: ["mutedUntil", "key"],
  },
  left: { required: ["type", "room"], optional: ["reason", "by"] },
  chat: CHAT_KEYS,
  system: { required: ["type", "room", "ts", "joined", "left", "renamed", "memberCount"], optional: ["notice"] },
  typing: { required: ["type", "room", "user", "active"], optional: [] },
  ack: { required: ["type", "room", "clientMsgId", "seq", "ts"], optional: [] },
  history: { required: ["type", "room", "messages"], optional: ["hasOlder", "hasNewer"] },
  error: { required: ["type", "code", "message"], optional: ["room", "clientMsgId", "retryAfterMs"] },
  pong: { required: ["type"], optional: ["t"] },
  notify: { required: ["type", "room", "level"], optional: [] },
};

const isObject = (value: unknown): value is Frame => typeof value === "object" && value !== null && !Array.isArray(value);
const isSeq = (value: unknown): value is number => typeof value === "number" && Number.isInteger(value) && value >= 0;

export interface ClientStats {
  connections: number;
  readies: number;
  closes: Record<string, number>;
  joinedIncompleteSince: number;
  joinedIncompleteFirst: number;
  afterPages: number;
  beforePages: number;
  resends: number;
  /** Acks for a clientMsgId sent on more than one connection, or acked twice (resends the server deduplicated or stored late). */
  dedupedAcks: number;
  rateLimited: number;
  serverErrors: number;
  /** Chats of ours that reached the log inside a `joined` or a history page, not live. */
  ownChatsNotLive: number;
}

export class DocClient extends EventEmitter {
  readonly opts: DocClientOptions;
  readonly rooms = new Map<string, RoomState>();
  readonly violations: string[] = [];
  /** Observations that the doc does not promise either way (reported, not failed). */
  readonly notes: string[] = [];
  readonly readies: ReadyRecord[] = [];
  /** Every message this client ever sent: clientMsgId → room and text. */
  readonly sent = new Map<string, { room: string; text: string }>();
  /** clientMsgId → the first ack's seq and ts. */
  readonly acks = new Map<string, { seq: number; ts: number; room: string }>();
  readonly stats: ClientStats = {
    connections: 0,
    readies: 0,
    closes: {},
    joinedIncompleteSince: 0,
    joinedIncompleteFirst: 0,
    afterPages: 0,
    beforePages: 0,
    resends: 0,
    dedupedAcks: 0,
    rateLimited: 0,
    serverErrors: 0,
    ownChatsNotLive: 0,
  };
  session: string | undefined;
  you: { id: string; name: string } | undefined;

  private ws: WebSocket | undefined;
  private conn = 0;
  private gotReady = false;
  private stopped = false;
  private attempt = 0;
  private gate: Promise<void> | undefined;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly trace: string[] = [];
  /** ids sent on the current connection (each is sent at most once per connection). */
  private sentOnConn = new Set<string>();
  /** Per connection: the ids first ever sent on it, per room, in send order (for a soft order check). */
  private freshOrder = new Map<string, string[]>();
  private readonly everSent = new Set<string>();
  private readonly freshOrders: { conn: number; room: string; ids: string[] }[] = [];
  // Client-side token bucket, from ready.limits, so we do not flood the server.
  private tokens = 0;
  private rate = 1;
  private burst = 1;
  private lastRefill = 0;
  private sendQueue: { room: string; id: string }[] = [];
  private flushTimer: NodeJS.Timeout | undefined;
  // The user's plan of messages to send.
  private plan: { room: string; text: string }[] = [];
  private planIndex = 0;
  private nextId = 0;
  /** message id → where we hold it, for "id is globally unique". */
  private readonly idsSeen = new Map<string, string>();
  /** clientMsgId → the connection its first ack came on. */
  private readonly ackConn = new Map<string, number>();
  /** clientMsgIds that got an error frame at least once. */
  private readonly errored = new Set<string>();
  /** clientMsgId → how many times it was sent. */
  private readonly sendCount = new Map<string, number>();

  constructor(opts: DocClientOptions) {
    super();
    this.setMaxListeners(100);
    this.opts = opts;
    for (const name of opts.rooms) {
      this.rooms.set(name, {
        name,
        log: new Map(),
        everJoined: false,
        anchor: 1,
        highest: 0,
        outbox: new Map(),
        state: "idle",
        sinceSent: undefined,
        connLast: 0,
        fill: null,
        historyInFlight: false,
        readDoneThisConn: false,
        initialReadSeq: undefined,
        readsSent: [],
        lastReadSent: -1,
        readInFlight: undefined,
      });
    }
  }

  // ---------------------------------------------------------------- public controls

  start(): void {
    this.connect();
  }

  /** More messages this client's user will send, taken into the outbox as the window allows. */
  addPlan(plan: { room: string; text: string }[]): void {
    this.plan.push(...plan);
    this.pump();
  }

  /**
   * Acts as if the acks of these (acked) messages had been lost: they go back into the outbox and
   * are resent with the same clientMsgId. The doc: the server acks them again with the original
   * seq and ts and stores nothing.
   */
  forgetAcks(ids: string[]): void {
    for (const id of ids) {
      const sent = this.sent.get(id);
      if (!sent || !this.acks.has(id)) throw new Error(`${id} was not acked`);
      this.sentOnConn.delete(id);
      this.mustRoom(sent.room).outbox.set(id, sent.text);
      this.queueChat(sent.room, id);
    }
    this.emit("change");
  }

  room(name: string): RoomState {
    return this.mustRoom(name);
  }

  get planDone(): boolean {
    return this.planIndex >= this.plan.length;
  }

  get outboxSize(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.outbox.size;
    return n;
  }

  get ackedCount(): number {
    return this.acks.size;
  }

  /** Every room joined on the current, open connection, with no fill pending. */
  get settled(): boolean {
    // After drop() the socket is CLOSING at once, while its close event comes later.
    if (!this.gotReady || this.ws?.readyState !== WebSocket.OPEN) return false;
    for (const room of this.rooms.values()) if (room.state !== "joined" || room.fill !== null) return false;
    return true;
  }

  get connectionNumber(): number {
    return this.conn;
  }

  /** Terminates the socket at once (no close frame). The client reconnects after `gate`, if given. */
  drop(gate?: Promise<void>): void {
    this.note(`drop requested${gate ? " (gated)" : ""}`);
    this.gate = gate;
    this.ws?.terminate();
  }

  /** Moves the read marker of every read room to what we hold, now. */
  markRead(): void {
    for (const name of this.opts.readRooms) {
      const room = this.mustRoom(name);
      if (room.state === "joined" && room.fill === null) this.sendRead(room);
    }
  }

  /** Closes with 1000 and does not reconnect. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearTimeout(this.flushTimer);
    for (const timer of this.timers) clearTimeout(timer);
    const ws = this.ws;
    if (!ws || ws.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      ws.once("close", () => resolve());
      if (ws.readyState === WebSocket.CONNECTING) ws.terminate();
      else ws.close(1000);
    });
  }

  lastTrace(lines = 80): string {
    return this.trace.slice(-lines).join("\n");
  }

  describe(): string {
    const rooms = [...this.rooms.values()]
      .map(
        (r) =>
          `${r.name}: state=${r.state} anchor=${r.anchor} highest=${r.highest} connLast=${r.connLast} held=${r.log.size} outbox=${r.outbox.size} fill=${JSON.stringify(r.fill)}`,
      )
      .join("; ");
    return `${this.opts.name} conn#${this.conn} ready=${this.gotReady} plan=${this.planIndex}/${this.plan.length} acked=${this.acks.size} | ${rooms}`;
  }

  /** The soft check: fresh sends of one connection in one room, in send order, acked with increasing seqs? */
  sendOrderInversions(): string[] {
    const out: string[] = [];
    for (const { conn, room, ids } of this.freshOrders) {
      let prev = 0;
      for (const id of ids) {
        // Only messages stored from this very connection and never refused: a rate_limited one
        // was resent later, and one "sent" right before a drop may never have left the socket.
        if (this.errored.has(id) || this.ackConn.get(id) !== conn) continue;
        const seq = this.acks.get(id)?.seq;
        if (seq === undefined) continue;
        if (seq < prev) out.push(`${this.opts.name} conn#${conn} ${room}: ${id} sent later but stored earlier (seq ${seq} < ${prev})`);
        prev = Math.max(prev, seq);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- connection

  private connect(): void {
    if (this.stopped) return;
    this.conn += 1;
    this.stats.connections += 1;
    const conn = this.conn;
    this.gotReady = false;
    this.sentOnConn = new Set();
    this.freshOrder = new Map();
    this.sendQueue = [];
    const ws = new WebSocket(this.opts.url);
    this.ws = ws;
    ws.on("open", () => {
      if (conn !== this.conn) return;
      this.note(`open conn#${conn}`);
      // hello first; the joins may follow right behind it (the doc: "You may send more frames right
      // behind hello without waiting").
      this.send(
        this.session ? { type: "hello", protocol: 2, session: this.session } : { type: "hello", protocol: 2, name: this.opts.name },
      );
      for (const room of this.rooms.values()) {
        room.state = "joining";
        room.sinceSent = room.everJoined ? room.highest : undefined;
        this.send({ type: "join", room: room.name, ...(room.sinceSent !== undefined && { since: room.sinceSent }) });
      }
      this.emit("change");
    });
    ws.on("message", (data, isBinary) => {
      if (conn !== this.conn) return;
      if (isBinary) {
        this.violation("the server sent a binary frame");
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(data.toString());
      } catch {
        this.violation(`a frame that is not JSON: ${data.toString().slice(0, 200)}`);
        return;
      }
      this.onFrame(frame);
      this.emit("change");
    });
    ws.on("error", (error) => {
      if (conn === this.conn) this.note(`socket error: ${error.message}`);
    });
    ws.on("close", (code, reason) => {
      if (conn !== this.conn) return;
      this.onClose(code, reason.toString());
      this.emit("change");
    });
  }

  private onClose(code: number, reason: string): void {
    this.note(`close conn#${this.conn} ${code} ${reason}`);
    this.stats.closes[code] = (this.stats.closes[code] ?? 0) + 1;
    const freshIds = [...this.freshOrder.entries()];
    for (const [room, ids] of freshIds) this.freshOrders.push({ conn: this.conn, room, ids });
    this.freshOrder = new Map();
    this.gotReady = false;
    this.sendQueue = [];
    clearTimeout(this.flushTimer);
    for (const room of this.rooms.values()) {
      room.state = "idle";
      room.fill = null;
      room.historyInFlight = false;
      room.readDoneThisConn = false;
      room.readInFlight = undefined;
    }
    if (this.stopped) return;
    if (NO_RECONNECT.has(code)) {
      this.violation(`closed with ${code} (${reason}), a code that says do not reconnect`);
      return;
    }
    const gate = this.gate ?? Promise.resolve();
    this.gate = undefined;
    const reconnect = () => {
      if (this.stopped) return;
      const delay = Math.min(this.opts.backoffBaseMs * 2 ** this.attempt, this.opts.backoffMaxMs) * (0.5 + this.opts.random() / 2);
      this.attempt += 1;
      this.reconnectTimer = setTimeout(() => this.connect(), delay);
    };
    // A gate that fails (the test reports it) still lets the client come back.
    void gate.then(reconnect, reconnect);
    this.pump();
  }

  private send(frame: Frame): void {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return;
    this.note(`> ${JSON.stringify(frame).slice(0, 160)}`);
    ws.send(JSON.stringify(frame));
  }

  private later(ms: number, fn: () => void): void {
    const conn = this.conn;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (conn === this.conn && !this.stopped) fn();
    }, ms);
    this.timers.add(timer);
  }

  // ---------------------------------------------------------------- frames in

  private onFrame(raw: unknown): void {
    if (!isObject(raw) || typeof raw.type !== "string") {
      this.violation(`a frame that is not an object with a string type: ${JSON.stringify(raw)?.slice(0, 200)}`);
      return;
    }
    const frame = raw;
    const type = raw.type;
    this.note(`< ${JSON.stringify(frame).slice(0, 160)}`);
    this.checkNoNull(frame, type);
    const keys = SERVER_KEYS[type];
    if (keys) this.checkKeys(frame, type, keys.required, keys.optional);

    if (!this.gotReady && type !== "ready") {
      this.violation(`"${type}" came before ready (ready must come first)`);
    }
    switch (type) {
      case "ready":
        this.onReady(frame);
        return;
      case "joined":
        this.onJoined(frame);
        return;
      case "chat":
        this.onLiveEvent(frame, type);
        return;
      case "ack":
        this.onAck(frame);
        return;
      case "history":
        this.onHistory(frame);
        return;
      case "error":
        this.onError(frame);
        return;
      case "system":
      case "typing":
        this.onPresenceFrame(frame, type);
        return;
      case "left":
        this.violation(`left for ${String(frame.room)} though we never sent leave`);
        return;
      case "pong":
        return;
      default:
        // Unknown frame type: with a room and a seq it is a stored room event of a kind we do not
        // know; advance over it. Anything else is ignored.
        if (typeof frame.room === "string" && isSeq(frame.seq)) this.onLiveEvent(frame, type);
    }
  }

  private onReady(frame: Frame): void {
    if (this.gotReady) this.violation("a second ready on one connection");
    this.gotReady = true;
    this.stats.readies += 1;
    if (frame.protocol !== 2) this.violation(`ready.protocol is ${String(frame.protocol)}`);
    const you = frame.you;
    if (!isObject(you) || typeof you.id !== "string" || typeof you.name !== "string") {
      this.violation(`ready.you is malformed: ${JSON.stringify(you)}`);
      return;
    }
    this.checkKeys(you, "ready.you", ["id", "name"], []);
    if (typeof frame.session !== "string" || !/^[A-Za-z0-9_-]{16,128}$/.test(frame.session)) {
      this.violation(`ready.session is not a session token: ${JSON.stringify(frame.session)}`);
    }
    const session = String(frame.session);
    if (this.session !== undefined && session !== this.session) {
      this.violation(`ready gave a new session (${session}) for a session it should know (${this.session}) on the SQLite store`);
    }
    if (this.you !== undefined && you.id !== this.you.id) {
      this.violation(`ready.you.id changed from ${this.you.id} to ${you.id} with the same session`);
    }
    if (this.you !== undefined && you.name !== this.you.name) {
      this.violation(`ready.you.name changed from ${this.you.name} to ${you.name} without a rename`);
    }
    this.session = session;
    this.you = { id: you.id, name: you.name };
    const limits = frame.limits;
    if (isObject(limits)) {
      this.checkKeys(
        limits,
        "ready.limits",
        ["maxTextLength", "maxFrameBytes", "ratePerSecond", "burst", "maxRooms", "roomMentionMembersMax"],
        [],
      );
      this.rate = typeof limits.ratePerSecond === "number" && limits.ratePerSecond > 0 ? limits.ratePerSecond : 1;
      this.burst = typeof limits.burst === "number" && limits.burst > 0 ? limits.burst : 1;
    } else {
      this.violation("ready.limits is not an object");
    }
    this.tokens = this.burst;
    this.lastRefill = Date.now();
    const rooms: ReadyRoom[] = [];
    if (Array.isArray(frame.rooms)) {
      for (const entry of frame.rooms) {
        if (!isObject(entry)) {
          this.violation(`ready.rooms has a non-object ${JSON.stringify(entry)}`);
          continue;
        }
        this.checkKeys(entry, "ready.rooms[]", ["room", "latestSeq", "readSeq", "unread", "unreadMentions", "notify"], []);
        if (typeof entry.room !== "string" || !isSeq(entry.latestSeq) || !isSeq(entry.readSeq) || !isSeq(entry.unread)) {
          this.violation(`ready.rooms entry malformed: ${JSON.stringify(entry)}`);
          continue;
        }
        if (entry.readSeq > entry.latestSeq)
          this.violation(`ready.rooms ${entry.room}: readSeq ${entry.readSeq} > latestSeq ${entry.latestSeq}`);
        if (entry.unread > entry.latestSeq - entry.readSeq) {
          this.violation(`ready.rooms ${entry.room}: unread ${entry.unread} > latestSeq - readSeq`);
        }
        rooms.push({ room: entry.room, latestSeq: entry.latestSeq, readSeq: entry.readSeq, unread: entry.unread });
      }
      const names = rooms.map((r) => r.room);
      const sorted = [...names].sort();
      if (names.join(",") !== sorted.join(",")) this.violation(`ready.rooms not ordered by room name: ${names.join(",")}`);
    } else {
      this.violation("ready.rooms is not an array");
    }
    // Read markers only move forward and only to values we sent (or the membership's start).
    const previous = this.readies.at(-1);
    for (const entry of rooms) {
      const before = previous?.rooms.find((r) => r.room === entry.room);
      if (before && entry.readSeq < before.readSeq) {
        this.violation(`ready.rooms ${entry.room}: readSeq went back from ${before.readSeq} to ${entry.readSeq}`);
      }
      if (before && entry.latestSeq < before.latestSeq) {
        this.violation(`ready.rooms ${entry.room}: latestSeq went back from ${before.latestSeq} to ${entry.latestSeq}`);
      }
      const room = this.rooms.get(entry.room);
      if (room && room.initialReadSeq !== undefined && entry.readSeq !== room.initialReadSeq && !room.readsSent.includes(entry.readSeq)) {
        this.violation(`ready.rooms ${entry.room}: readSeq ${entry.readSeq} is neither the initial marker nor a value we sent`);
      }
    }
    this.readies.push({
      connection: this.conn,
      serverGeneration: this.opts.serverGeneration(),
      youId: you.id,
      session,
      rooms,
    });
    this.attempt = 0;
  }

  private onJoined(frame: Frame): void {
    const room = this.roomOf(frame, "joined");
    if (!room) return;
    if (room.state !== "joining") {
      this.violation(`joined for ${room.name} in state ${room.state}`);
      return;
    }
    const { latestSeq, readSeq, complete, messages } = frame;
    if (!isSeq(latestSeq) || !isSeq(readSeq) || typeof complete !== "boolean" || !Array.isArray(messages)) {
      this.violation(`joined ${room.name} malformed: ${JSON.stringify(frame).slice(0, 300)}`);
      return;
    }
    const you = frame.you;
    if (!isObject(you) || you.id !== this.you?.id) this.violation(`joined ${room.name}: you.id ${JSON.stringify(you)} is not ready.you`);
    const members = frame.members;
    if (!Array.isArray(members) || !members.some((m) => isObject(m) && m.id === this.you?.id)) {
      this.violation(`joined ${room.name}: members does not list us`);
    }
    if (readSeq > latestSeq) this.violation(`joined ${room.name}: readSeq ${readSeq} > latestSeq ${latestSeq}`);
    const since = room.sinceSent;
    if (since !== undefined && latestSeq < since) {
      this.violation(`joined ${room.name}: latestSeq ${latestSeq} < since ${since}: the SQLite store lost history`);
    }
    // joined.messages: contiguous (every stored event has the next seq, and all of them are chats
    // here), oldest first, ending at latestSeq, and as many as the doc says.
    const seqs: number[] = [];
    const entries: Entry[] = [];
    for (const message of messages) {
      const entry = this.entryOfChat(message, room.name, "joined.messages");
      if (!entry) continue;
      seqs.push(entry.seq);
      entries.push(entry);
    }
    this.checkContiguous(seqs, `joined ${room.name}.messages`);
    if (seqs.length > 0 && seqs[seqs.length - 1] !== latestSeq) {
      this.violation(`joined ${room.name}: last message seq ${seqs[seqs.length - 1]} is not latestSeq ${latestSeq}`);
    }
    const from = since ?? 0;
    const missing = Math.max(0, latestSeq - from);
    const expectedCount = Math.min(missing, since === undefined ? this.opts.welcomeLatest : this.opts.welcomeSinceMax);
    if (seqs.length !== expectedCount) {
      this.violation(
        `joined ${room.name} (since ${since}): ${seqs.length} messages, expected ${expectedCount} (latestSeq ${latestSeq}, seqs ${seqs.join(",")})`,
      );
    }
    const firstSeq = seqs[0];
    if (since !== undefined && firstSeq !== undefined && firstSeq <= since)
      this.violation(`joined ${room.name}: seq ${firstSeq} <= since ${since}`);
    const expectComplete = seqs.length === missing;
    if (complete !== expectComplete) {
      this.violation(`joined ${room.name} (since ${since}): complete=${complete} but ${seqs.length} of ${missing} messages came`);
    }
    if (!complete) {
      if (since === undefined) this.stats.joinedIncompleteFirst += 1;
      else this.stats.joinedIncompleteSince += 1;
    }

    room.state = "joined";
    room.connLast = latestSeq;
    if (!room.everJoined) {
      room.everJoined = true;
      room.anchor = firstSeq ?? latestSeq + 1;
      room.highest = room.anchor - 1;
      room.initialReadSeq = readSeq;
      if (readSeq !== latestSeq) {
        this.violation(`joined ${room.name}: a new membership's readSeq is ${readSeq}, not the room's latestSeq ${latestSeq}`);
      }
    }
    for (const entry of entries) this.merge(room, entry, "joined");
    // The outbox goes out again, same clientMsgIds, once the room's joined is here.
    for (const id of room.outbox.keys()) {
      if (this.everSent.has(id)) this.stats.resends += 1;
      this.queueChat(room.name, id);
    }
    this.continueFill(room);
    this.pump();
  }

  private onLiveEvent(frame: Frame, type: string): void {
    const room = this.roomOf(frame, type);
    if (!room) return;
    if (room.state !== "joined") {
      this.violation(`${type} seq ${String(frame.seq)} for ${room.name} before its joined (state ${room.state})`);
      return;
    }
    const entry = type === "chat" ? this.entryOfChat(frame, room.name, "live chat") : this.entryOfUnknown(frame, type);
    if (!entry) return;
    if (entry.seq !== room.connLast + 1) {
      const what = entry.seq <= room.connLast ? "a seq sent twice or out of order" : "a gap";
      this.violation(`${room.name}: live ${type} seq ${entry.seq} after ${room.connLast} on conn#${this.conn}: ${what}`);
    }
    room.connLast = Math.max(room.connLast, entry.seq);
    this.merge(room, entry, "live");
  }

  private onAck(frame: Frame): void {
    const { clientMsgId, seq, ts, room } = frame;
    if (typeof clientMsgId !== "string" || !isSeq(seq) || !isSeq(ts) || typeof room !== "string") {
      this.violation(`ack malformed: ${JSON.stringify(frame)}`);
      return;
    }
    const sent = this.sent.get(clientMsgId);
    if (!sent) {
      this.violation(`ack for a clientMsgId we never sent: ${clientMsgId}`);
      return;
    }
    if (sent.room !== room) this.violation(`ack for ${clientMsgId} names room ${room}, we sent it to ${sent.room}`);
    const earlier = this.acks.get(clientMsgId);
    if (earlier && (earlier.seq !== seq || earlier.ts !== ts)) {
      this.violation(`ack for ${clientMsgId} again with seq ${seq} ts ${ts}; the first said seq ${earlier.seq} ts ${earlier.ts}`);
    }
    const held = this.rooms.get(room)?.log.get(seq);
    if (held && (held.clientMsgId !== clientMsgId || held.fromId !== this.you?.id)) {
      this.violation(`ack ${clientMsgId} → ${room} seq ${seq}, but we hold a different message there: ${JSON.stringify(held)}`);
    }
    if (held && held.ts !== ts) this.violation(`ack ${clientMsgId} ts ${ts} differs from the chat's ts ${held.ts}`);
    if ((this.sendCount.get(clientMsgId) ?? 0) > 1 || earlier) this.stats.dedupedAcks += 1;
    if (!earlier) {
      this.acks.set(clientMsgId, { seq, ts, room });
      this.ackConn.set(clientMsgId, this.conn);
    }
    this.rooms.get(room)?.outbox.delete(clientMsgId);
    this.pump();
  }

  private onHistory(frame: Frame): void {
    const room = this.roomOf(frame, "history");
    if (!room) return;
    const request = room.fill;
    if (!request || !room.historyInFlight) {
      this.violation(`history for ${room.name} that we did not ask for`);
      return;
    }
    room.historyInFlight = false;
    if (!Array.isArray(frame.messages)) {
      this.violation(`history ${room.name}: messages is not an array`);
      return;
    }
    const entries: Entry[] = [];
    for (const message of frame.messages) {
      if (!isObject(message)) {
        this.violation(`history ${room.name}: a non-object message`);
        continue;
      }
      // An after page carries every kind of stored event.
      const entry =
        message.type === "chat" || request.kind === "before"
          ? this.entryOfChat(message, room.name, `history ${request.kind}`)
          : this.entryOfUnknown(message, String(message.type));
      if (entry) entries.push(entry);
    }
    const seqs = entries.map((e) => e.seq);
    this.checkContiguous(seqs, `history ${room.name} ${JSON.stringify(request)}`);
    const limit = this.opts.historyLimit;
    if (seqs.length > limit) this.violation(`history ${room.name}: ${seqs.length} messages for limit ${limit}`);
    for (const seq of seqs) {
      if (seq > room.connLast) {
        this.violation(`history ${room.name}: seq ${seq} reaches past what this connection was sent (${room.connLast})`);
      }
    }
    if (request.kind === "after") {
      this.stats.afterPages += 1;
      if (typeof frame.hasNewer !== "boolean" || "hasOlder" in frame) {
        this.violation(`history after-page ${room.name} without hasNewer (or with hasOlder): ${JSON.stringify(frame).slice(0, 200)}`);
      }
      // Every seq is an event, so the page must be exactly after+1 … min(after+limit, connLast).
      const end = Math.min(request.after + limit, room.connLast);
      const expected = end - request.after;
      if (seqs.length !== Math.max(0, expected) || (seqs.length > 0 && seqs[0] !== request.after + 1)) {
        this.violation(`history after=${request.after} ${room.name}: got seqs ${seqs.join(",")}, expected ${request.after + 1}..${end}`);
      }
      const expectNewer = request.after + limit < room.connLast;
      if (frame.hasNewer !== expectNewer) {
        this.violation(
          `history after=${request.after} ${room.name}: hasNewer=${String(frame.hasNewer)}, connection was sent up to ${room.connLast}`,
        );
      }
    } else {
      this.stats.beforePages += 1;
      if (typeof frame.hasOlder !== "boolean" || "hasNewer" in frame) {
        this.violation(`history before-page ${room.name} without hasOlder (or with hasNewer): ${JSON.stringify(frame).slice(0, 200)}`);
      }
      const start = Math.max(1, request.before - limit);
      if (seqs.length !== request.before - start || (seqs.length > 0 && seqs[seqs.length - 1] !== request.before - 1)) {
        this.violation(
          `history before=${request.before} ${room.name}: got seqs ${seqs.join(",")}, expected ${start}..${request.before - 1}`,
        );
      }
      const first = seqs[0];
      const expectOlder = first !== undefined && first > 1;
      if (frame.hasOlder !== expectOlder) {
        this.violation(`history before=${request.before} ${room.name}: hasOlder=${String(frame.hasOlder)} with first seq ${seqs[0]}`);
      }
    }
    for (const entry of entries) this.merge(room, entry, "history");
    const pageFirst = seqs[0];
    if (request.kind === "before" && pageFirst !== undefined && seqs.at(-1) === room.anchor - 1) room.anchor = pageFirst;
    if (request.kind === "after" && frame.hasNewer === false && room.highest < room.connLast) {
      this.violation(`history ${room.name}: hasNewer=false but we still miss ${room.highest + 1}..${room.connLast}`);
      room.fill = null;
      return;
    }
    if (request.kind === "before" && frame.hasOlder === false && room.anchor > 1) {
      this.violation(`history ${room.name}: hasOlder=false but our log starts at ${room.anchor}`);
      room.fill = null;
      return;
    }
    room.fill = null;
    this.continueFill(room);
  }

  private onError(frame: Frame): void {
    const code = String(frame.code);
    const roomName = typeof frame.room === "string" ? frame.room : undefined;
    const clientMsgId = typeof frame.clientMsgId === "string" ? frame.clientMsgId : undefined;
    const retryAfterMs = typeof frame.retryAfterMs === "number" ? frame.retryAfterMs : undefined;
    if (code === "rate_limited") {
      this.stats.rateLimited += 1;
      if (retryAfterMs === undefined) this.violation(`rate_limited without retryAfterMs: ${JSON.stringify(frame)}`);
    } else if ("retryAfterMs" in frame) {
      this.violation(`retryAfterMs on a ${code} error`);
    }
    const room = roomName ? this.rooms.get(roomName) : undefined;
    if (clientMsgId !== undefined) {
      // About one of our chats.
      const sent = this.sent.get(clientMsgId);
      if (!sent || !room) {
        this.violation(`error ${code} about clientMsgId ${clientMsgId} in room ${roomName}: not one of ours`);
        return;
      }
      this.sentOnConn.delete(clientMsgId);
      this.errored.add(clientMsgId);
      switch (code) {
        case "rate_limited":
          this.later(retryAfterMs ?? 100, () => this.queueChat(room.name, clientMsgId));
          return;
        case "server_error":
          this.stats.serverErrors += 1;
          this.later(100, () => this.queueChat(room.name, clientMsgId));
          return;
        default:
          this.violation(`error ${code} for our chat ${clientMsgId} in ${room.name}: ${String(frame.message)}`);
          return;
      }
    }
    if (room && code === "rate_limited") {
      // history and read carry no id: the error names only the room. We never have both in flight
      // in one room, so it is whichever one is.
      if (room.historyInFlight) {
        room.historyInFlight = false;
        this.later(retryAfterMs ?? 100, () => this.sendFill(room));
      } else if (room.readInFlight !== undefined) {
        const value = room.readInFlight;
        this.later(retryAfterMs ?? 100, () => {
          if (room.state === "joined") this.send({ type: "read", room: room.name, seq: value });
        });
      } else {
        this.violation(`rate_limited for ${room.name} with nothing in flight there`);
      }
      return;
    }
    this.violation(`error ${code} (room ${roomName}): ${String(frame.message)}`);
  }

  private onPresenceFrame(frame: Frame, type: string): void {
    const room = this.roomOf(frame, type);
    if (!room) return;
    if (room.state !== "joined") this.violation(`${type} for ${room.name} before its joined`);
    if (type === "typing" && isObject(frame.user) && frame.user.id === this.you?.id) this.violation("we got our own typing frame");
    if (type === "system" && typeof frame.notice === "string") this.note(`notice: ${frame.notice}`);
  }

  // ---------------------------------------------------------------- log

  private merge(room: RoomState, entry: Entry, source: string): void {
    const held = room.log.get(entry.seq);
    if (held) {
      for (const key of ["type", "id", "text", "clientMsgId", "fromId", "ts"] as const) {
        if (held[key] !== entry[key]) {
          this.violation(
            `${room.name} seq ${entry.seq} changed its message (${source}): ${key} was ${JSON.stringify(held[key])}, now ${JSON.stringify(entry[key])}`,
          );
        }
      }
      return;
    }
    if (entry.id !== undefined) {
      const where = this.idsSeen.get(entry.id);
      if (where !== undefined) this.violation(`message id ${entry.id} at ${room.name} seq ${entry.seq} already held at ${where}`);
      this.idsSeen.set(entry.id, `${room.name} seq ${entry.seq}`);
    }
    if (entry.fromId === this.you?.id && entry.clientMsgId !== undefined) {
      if (!this.sent.has(entry.clientMsgId)) this.violation(`a chat from us with a clientMsgId we never sent: ${entry.clientMsgId}`);
      const ack = this.acks.get(entry.clientMsgId);
      if (ack && (ack.seq !== entry.seq || ack.room !== room.name)) {
        this.violation(`our ${entry.clientMsgId} was acked as ${ack.room} seq ${ack.seq} but shows up at ${room.name} seq ${entry.seq}`);
      }
      if (source !== "live") this.stats.ownChatsNotLive += 1;
    }
    room.log.set(entry.seq, entry);
    while (room.log.has(room.highest + 1)) room.highest += 1;
  }

  private entryOfChat(message: unknown, roomName: string, where: string): Entry | undefined {
    if (!isObject(message) || message.type !== "chat") {
      this.violation(`${where} in ${roomName}: not a chat: ${JSON.stringify(message)?.slice(0, 200)}`);
      return undefined;
    }
    this.checkKeys(message, `${where} chat`, CHAT_KEYS.required, CHAT_KEYS.optional);
    const { seq, id, from, text, ts, clientMsgId, room } = message;
    if (room !== roomName) this.violation(`${where}: chat of room ${String(room)} inside ${roomName}`);
    if (!isSeq(seq) || seq < 1 || typeof id !== "string" || !isObject(from) || typeof text !== "string" || !isSeq(ts)) {
      this.violation(`${where} in ${roomName}: malformed chat ${JSON.stringify(message).slice(0, 200)}`);
      return undefined;
    }
    this.checkKeys(from, `${where} chat.from`, ["id", "name"], []);
    if (clientMsgId !== undefined && typeof clientMsgId !== "string") this.violation(`${where}: clientMsgId is not a string`);
    if (text !== text.trim()) this.violation(`${where}: text is not trimmed: ${JSON.stringify(text)}`);
    const entry: Entry = { seq, type: "chat", id, text, ts, fromId: String(from.id) };
    if (typeof clientMsgId === "string") entry.clientMsgId = clientMsgId;
    return entry;
  }

  private entryOfUnknown(frame: Frame, type: string): Entry | undefined {
    if (!isSeq(frame.seq)) return undefined;
    this.notes.push(`an unknown stored event kind ${type} at ${String(frame.room ?? "")} seq ${frame.seq}`);
    return { seq: frame.seq, type };
  }

  // ---------------------------------------------------------------- gap filling

  /** After joined and after each page: fill forward what this connection skipped, then backward. */
  private continueFill(room: RoomState): void {
    if (room.state !== "joined" || room.fill !== null) return;
    if (room.highest < room.connLast) {
      // The recipe: after=<since>, then after=<highest received>, until hasNewer is false or we
      // reach what we hold.
      room.fill = { kind: "after", after: room.highest };
      this.sendFill(room);
      return;
    }
    if (room.anchor > 1) {
      room.fill = { kind: "before", before: room.anchor };
      this.sendFill(room);
      return;
    }
    if (!room.readDoneThisConn && this.opts.readRooms.includes(room.name)) {
      room.readDoneThisConn = true;
      this.sendRead(room);
    }
    this.emit("change");
  }

  private sendFill(room: RoomState): void {
    const fill = room.fill;
    if (!fill || room.state !== "joined") return;
    room.historyInFlight = true;
    if (fill.kind === "after") this.send({ type: "history", room: room.name, after: fill.after, limit: this.opts.historyLimit });
    else this.send({ type: "history", room: room.name, before: fill.before, limit: this.opts.historyLimit });
  }

  private sendRead(room: RoomState): void {
    const seq = room.highest;
    if (seq <= room.lastReadSent) return;
    room.lastReadSent = seq;
    room.readsSent.push(seq);
    room.readInFlight = seq;
    this.send({ type: "read", room: room.name, seq });
  }

  // ---------------------------------------------------------------- outbox

  /** The user "types" the next planned messages while the outbox has room. */
  private pump(): void {
    if (this.stopped) return;
    const online = this.gotReady && this.ws?.readyState === WebSocket.OPEN;
    const window = online ? this.opts.windowOnline : this.opts.windowOffline;
    while (this.planIndex < this.plan.length && this.outboxSize < window) {
      const next = this.plan[this.planIndex];
      if (!next) break;
      const { room, text } = next;
      this.planIndex += 1;
      this.nextId += 1;
      const id = `${this.opts.tag}-${this.nextId}`;
      this.sent.set(id, { room, text });
      this.mustRoom(room).outbox.set(id, text);
      this.queueChat(room, id);
    }
    this.emit("change");
  }

  private queueChat(roomName: string, id: string): void {
    const room = this.mustRoom(roomName);
    if (room.state !== "joined" || !room.outbox.has(id) || this.sentOnConn.has(id)) return;
    if (this.sendQueue.some((q) => q.id === id)) return;
    this.sendQueue.push({ room: roomName, id });
    this.flush();
  }

  private flush(): void {
    clearTimeout(this.flushTimer);
    this.flushTimer = undefined;
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.lastRefill) / 1000) * this.rate);
    this.lastRefill = now;
    while (this.sendQueue.length > 0 && this.tokens >= 1) {
      const next = this.sendQueue.shift();
      if (!next) break;
      const room = this.mustRoom(next.room);
      const text = room.outbox.get(next.id);
      if (text === undefined || room.state !== "joined" || this.sentOnConn.has(next.id)) continue;
      this.tokens -= 1;
      this.sentOnConn.add(next.id);
      this.sendCount.set(next.id, (this.sendCount.get(next.id) ?? 0) + 1);
      if (!this.everSent.has(next.id)) {
        this.everSent.add(next.id);
        const order = this.freshOrder.get(next.room) ?? [];
        order.push(next.id);
        this.freshOrder.set(next.room, order);
      }
      this.send({ type: "chat", room: next.room, text, clientMsgId: next.id });
    }
    if (this.sendQueue.length > 0) {
      const wait = Math.ceil(((1 - this.tokens) / this.rate) * 1000);
      const conn = this.conn;
      this.flushTimer = setTimeout(() => {
        if (conn === this.conn) this.flush();
      }, wait);
    }
  }

  // ---------------------------------------------------------------- checks and helpers

  private roomOf(frame: Frame, type: string): RoomState | undefined {
    const name = frame.room;
    if (typeof name !== "string") {
      this.violation(`${type} without a room`);
      return undefined;
    }
    const room = this.rooms.get(name);
    if (!room) this.violation(`${type} for a room we never joined: ${name}`);
    return room;
  }

  private mustRoom(name: string): RoomState {
    const room = this.rooms.get(name);
    if (!room) throw new Error(`unknown room ${name}`);
    return room;
  }

  private checkContiguous(seqs: number[], where: string): void {
    for (let i = 1; i < seqs.length; i += 1) {
      const previous = seqs[i - 1] ?? 0;
      if (seqs[i] !== previous + 1) {
        this.violation(`${where}: seq ${seqs[i]} follows ${previous} (not in order with no gap)`);
        return;
      }
    }
  }

  private checkKeys(object: Frame, where: string, required: string[], optional: string[]): void {
    for (const key of required) if (!(key in object)) this.violation(`${where}: missing field ${key}`);
    for (const key of Object.keys(object)) {
      if (!required.includes(key) && !optional.includes(key)) this.violation(`${where}: a field the doc does not list: ${key}`);
    }
  }

  private checkNoNull(value: unknown, where: string): void {
    if (value === null) {
      this.violation(`${where}: a null value (the doc: optional fields are absent, never null)`);
      return;
    }
    if (Array.isArray(value)) for (const item of value) this.checkNoNull(item, where);
    else if (isObject(value)) for (const [key, item] of Object.entries(value)) this.checkNoNull(item, `${where}.${key}`);
  }

  private violation(text: string): void {
    const line = `[${this.opts.name} conn#${this.conn}] ${text}`;
    this.violations.push(line);
    this.note(`VIOLATION ${text}`);
  }

  private note(text: string): void {
    this.trace.push(`${Date.now() % 100_000} ${text}`);
    if (this.trace.length > 2000) this.trace.splice(0, 1000);
  }
}

/**
 * Resolves when `condition` holds, checked now and on every change of any client; rejects after
 * `timeoutMs` with `what` and the clients' state. The one way this test waits.
 */
export function waitFor(clients: DocClient[], condition: () => boolean, what: string, timeoutMs: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (condition()) {
      resolve();
      return;
    }
    const check = () => {
      if (!condition()) return;
      cleanup();
      resolve();
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`gave up waiting for ${what} after ${timeoutMs} ms\n${clients.map((c) => c.describe()).join("\n")}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      for (const client of clients) client.off("change", check);
    };
    for (const client of clients) client.on("change", check);
  });
}

/** A small seeded PRNG (mulberry32). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Opens one connection with `session`, says hello, returns the `ready`, and closes with 1000. */
export function probeReady(url: string, session: string, timeoutMs: number): Promise<Frame> {
  return new Promise<Frame>((resolve, reject) => {
    const ws = new WebSocket(url);
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no ready on a probe connection within ${timeoutMs} ms`));
    }, timeoutMs);
    ws.on("open", () => ws.send(JSON.stringify({ type: "hello", protocol: 2, session })));
    ws.on("message", (data) => {
      const frame: unknown = JSON.parse(data.toString());
      if (isObject(frame) && frame.type === "ready") {
        clearTimeout(timer);
        ws.once("close", () => resolve(frame));
        ws.close(1000);
      }
    });
    ws.on("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
