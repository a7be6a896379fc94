import { isDeepStrictEqual } from "node:util";
import {
  type ChangeClientFrame,
  type ChatFrame,
  DEFAULT_LIMITS,
  type PageEvent,
  PROTOCOL_VERSION,
  type ServerFrame,
  type ServerFrameOf,
} from "@chatroom/protocol";
import { RoomProjection } from "./room-projection";
import { TestClient } from "./test-client";

export interface Pending {
  room: string;
  clientMsgId: string;
  /** A chat's text, or an edit's; empty for a delete or a reaction. */
  text: string;
  /** The frame it goes out as, every time. */
  frame: ChangeClientFrame;
}

/** A change other than a chat, as `change()` takes it. */
export type ChangeRequest =
  | { type: "edit"; target: number; text: string }
  | { type: "delete"; target: number }
  | { type: "react"; target: number; emoji: string; on: boolean };

export interface ResumingClientOptions {
  name: string;
  /** The rooms it joins, all on its one connection. */
  rooms: string[];
  /** Where `start()` connects, tried in turn on every reconnect. */
  endpoints?: string[];
  /**
   * What a refused message (an `error` naming one of its clientMsgIds) or a refused join (an
   * `error` naming a room not joined yet) is. False (the default): a violation, for servers that
   * must never refuse. True: a reason to send it again, as the real client does, for tests that
   * take the store away on purpose.
   */
  resendRefused?: boolean;
}

/** Client-side pause before a reconnect or a resend, as a real client backs off: not a test wait. */
const RETRY_MS = 100;
/** The size of the `history {after}` pages that fill a resume whose `joined` was not complete. */
const FILL_PAGE = DEFAULT_LIMITS.historyPageMax;

/** One room on the current connection: where its resume started and how far its stream has come. */
interface RoomLink {
  /** The `since` its join sent. */
  since: number;
  joined: boolean;
  /** Highest seq of the room's live stream on this connection; every live event must be exactly one above. */
  liveSeq: number;
  /** The `after` of the fill page in flight, if a fill is running. */
  fillingAfter: number | undefined;
  /** The `latestSeq` of its `joined`: the fill must reach at least here. */
  latestSeq: number;
}

/**
 * A chat client as the protocol asks clients to behave, for durability and cluster tests: one
 * connection for all its rooms, a seq-keyed log of every event per room and the chats as they
 * stand (the doc's rule, in `RoomProjection`); after a drop it says hello with its session and
 * joins every room with `since` (the room's contiguous end), fills a `joined` that says
 * `complete: false` with `history {after}` pages, and resends every un-acked chat, edit, delete
 * and reaction of each room's outbox with the same `clientMsgId`. It also checks, per connection
 * and room, the server's guarantees: `joined` covers the resume exactly (or the fill does), live
 * events arrive in seq order with no gap and no seq twice, a seq never changes what event it is,
 * the session and user survive; breaches land in `violations`, each naming its room.
 *
 * Two ways to drive it: `connect(url)` / `disconnect()` one connection at a time, or `start()`,
 * which keeps it connected to `endpoints` (the next one after every drop) until `stop()`.
 */
export class ResumingClient {
  readonly name: string;
  readonly rooms: readonly string[];
  /** Every event seen, per room, by seq. */
  readonly events = new Map<string, Map<number, PageEvent>>();
  /** Per room, the chats as they stand from every event seen. */
  readonly projections = new Map<string, RoomProjection>();
  /** Every ack received, in order (duplicates included). */
  readonly acks: Array<{ room: string; clientMsgId: string; seq: number }> = [];
  /** Every message this client ever asked to send, in order. */
  readonly sent: Pending[] = [];
  /** Every valid frame of every connection, in arrival order. */
  readonly frames: ServerFrame[] = [];
  /** Each one starts with `[room]` (or `[connection]`). */
  readonly violations: string[] = [];
  session: string | undefined;
  userId: string | undefined;
  connection: TestClient | undefined;
  /** `ready` frames received, one per connection that got as far. */
  readies = 0;
  /** `joined` frames received per room, one per connection that got as far in that room. */
  readonly joinedCounts = new Map<string, number>();
  private endpoints: string[];
  private endpoint = 0;
  private readonly resendRefused: boolean;
  /** Sent and not acked, by clientMsgId (unique across this client's rooms). */
  private readonly outbox = new Map<string, Pending>();
  private counter = 0;
  private links = new Map<string, RoomLink>();
  private ready = false;
  private running = false;
  private readonly waiters = new Set<() => void>();

  constructor(options: ResumingClientOptions) {
    if (options.rooms.length === 0) throw new Error("a ResumingClient needs at least one room");
    this.name = options.name;
    this.rooms = [...options.rooms];
    this.endpoints = options.endpoints ?? [];
    this.resendRefused = options.resendRefused ?? false;
    for (const room of this.rooms) {
      this.events.set(room, new Map());
      this.projections.set(room, new RoomProjection());
      this.joinedCounts.set(room, 0);
    }
  }

  /** The room's chats as they stand, by seq (a client of one room may leave the room out). */
  log(room?: string): ReadonlyMap<number, ChatFrame> {
    return this.projection(room).chats;
  }

  /** The room's projection: its chats and how often each change was applied. */
  projection(room?: string): RoomProjection {
    return this.projections.get(this.roomOrOnly(room)) as RoomProjection;
  }

  /** Highest seq of the room with every seq below it seen, events of every kind counted. */
  contiguousSeq(room?: string): number {
    const events = this.events.get(this.roomOrOnly(room)) as Map<number, PageEvent>;
    let seq = 0;
    while (events.has(seq + 1)) seq++;
    return seq;
  }

  /** Messages sent and not acked yet, in every room. */
  get pending(): number {
    return this.outbox.size;
  }

  /** Messages sent in `room` and not acked yet. */
  pendingIn(room: string): number {
    let count = 0;
    for (const entry of this.outbox.values()) if (entry.room === room) count++;
    return count;
  }

  /** clientMsgId -> the seq its (last) ack named. */
  get acked(): Map<string, number> {
    return new Map(this.acks.map((ack) => [ack.clientMsgId, ack.seq]));
  }

  /** Ready, open and joined in every room: new messages go out at once instead of waiting in the outbox. */
  get connected(): boolean {
    if (!this.ready || !(this.connection?.isOpen ?? false)) return false;
    return this.rooms.every((room) => this.links.get(room)?.joined === true);
  }

  /** Whether one room is joined on the open connection: its messages go out at once. */
  joinedIn(room: string): boolean {
    return this.ready && (this.connection?.isOpen ?? false) && this.links.get(room)?.joined === true;
  }

  /**
   * Connects once: hello (with the session, once it has one), then a join per room with `since`,
   * pipelined; merges each `joined`, fills what it left out and resends that room's outbox.
   * Resolves once every room is joined.
   */
  async connect(wsUrl: string): Promise<void> {
    this.ready = false;
    this.links = new Map();
    const connection = await TestClient.connect(wsUrl);
    this.connection = connection;
    connection.onFrame((frame) => this.handle(frame));
    void connection.closed.then(() => {
      if (this.connection !== connection) return;
      this.ready = false;
      this.wake();
      if (this.running) setTimeout(() => this.reconnect(), RETRY_MS);
    });
    connection.send({
      type: "hello",
      protocol: PROTOCOL_VERSION,
      name: this.name,
      ...(this.session === undefined ? {} : { session: this.session }),
    });
    for (const room of this.rooms) {
      const since = this.contiguousSeq(room);
      this.links.set(room, { since, joined: false, liveSeq: since, fillingAfter: undefined, latestSeq: since });
      connection.send({ type: "join", room, since });
    }
    await this.until(() => this.connection !== connection || this.connected || !connection.isOpen, "every room joined");
    if (!this.connected) throw new Error(`${this.name}: the connection closed before every room was joined`);
  }

  /** Connects to the endpoints and stays connected (to the next one after every drop) until `stop()`. */
  async start(): Promise<void> {
    this.running = true;
    this.reconnect();
    await this.until(() => this.connected, "the first time every room was joined");
  }

  /** Replaces the endpoint list, e.g. when a node is gone for good. */
  useEndpoints(endpoints: string[]): void {
    this.endpoints = endpoints;
    this.endpoint = 0;
  }

  /** Queues a message in a room (a client of one room may leave it out), a reply if `replyTo` says so, and sends it now if that room is joined. */
  send(text: string, room?: string, replyTo?: number): string {
    const clientMsgId = `${this.name}-${++this.counter}`;
    const to = this.roomOrOnly(room);
    const frame: ChangeClientFrame = { type: "chat", room: to, text, clientMsgId, ...(replyTo === undefined ? {} : { replyTo }) };
    return this.queue({ room: to, clientMsgId, text, frame });
  }

  /** Queues an edit, delete or reaction like a chat: sent now if the room is joined, resent until acked. */
  change(room: string, change: ChangeRequest): string {
    const clientMsgId = `${this.name}-${++this.counter}`;
    const to = this.roomOrOnly(room);
    const text = change.type === "edit" ? change.text : "";
    return this.queue({ room: to, clientMsgId, text, frame: { ...change, room: to, clientMsgId } });
  }

  /** Sends one change again with an id it already used, as a client that lost an ack would. */
  resend(pending: Pending): void {
    this.connection?.send(pending.frame);
  }

  /** Resolves once `condition` holds, checked after every frame and every drop. */
  until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        const logs = this.rooms.map((room) => `${room} ${this.log(room).size}`).join(", ");
        reject(new Error(`${this.name}: gave up waiting for ${what} (logs ${logs}; pending ${this.outbox.size})`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Closes the current connection (and, after `start()`, stays away). */
  async disconnect(): Promise<void> {
    this.running = false;
    await this.connection?.close();
  }

  /** `disconnect` under the name the cluster tests read better with. */
  stop(): Promise<void> {
    return this.disconnect();
  }

  private roomOrOnly(room: string | undefined): string {
    if (room !== undefined) {
      if (!this.events.has(room)) throw new Error(`${this.name} has not joined ${room}`);
      return room;
    }
    if (this.rooms.length !== 1) throw new Error(`${this.name} is in ${this.rooms.length} rooms: say which`);
    return this.rooms[0] as string;
  }

  private reconnect(): void {
    if (!this.running) return;
    const url = this.endpoints[this.endpoint++ % this.endpoints.length];
    if (url === undefined) throw new Error(`${this.name} has no endpoint to connect to`);
    const previous = this.connection;
    this.connect(url).catch(() => {
      // Refused before there was a connection: try the next endpoint. (A connection that closes
      // before every room was joined is retried by its own close handler.)
      if (this.running && this.connection === previous) setTimeout(() => this.reconnect(), RETRY_MS);
    });
  }

  private queue(pending: Pending): string {
    this.sent.push(pending);
    this.outbox.set(pending.clientMsgId, pending);
    this.transmit(pending);
    return pending.clientMsgId;
  }

  private transmit(pending: Pending): void {
    if (this.joinedIn(pending.room)) this.connection?.send(pending.frame);
  }

  private handle(frame: ServerFrame): void {
    this.frames.push(frame);
    switch (frame.type) {
      case "ready":
        this.greeted(frame);
        break;
      case "joined":
        this.joined(frame);
        break;
      case "history":
        this.filled(frame);
        break;
      case "chat":
      case "edit":
      case "delete":
      case "reaction":
        this.live(frame);
        break;
      case "ack":
        this.acks.push({ room: frame.room, clientMsgId: frame.clientMsgId, seq: frame.seq });
        this.outbox.delete(frame.clientMsgId);
        break;
      case "error":
        this.refused(frame);
        break;
      default:
        break;
    }
    this.wake();
  }

  private greeted(frame: ServerFrameOf<"ready">): void {
    this.readies++;
    if (this.session && frame.session !== this.session) this.violations.push(`[connection] session ${this.session} was not resumed`);
    if (this.userId && frame.you.id !== this.userId)
      this.violations.push(`[connection] user id changed from ${this.userId} to ${frame.you.id}`);
    this.session = frame.session;
    this.userId = frame.you.id;
    this.ready = true;
  }

  private joined(frame: ServerFrameOf<"joined">): void {
    const link = this.links.get(frame.room);
    if (!link) {
      this.violations.push(`[${frame.room}] joined a room this client never asked for`);
      return;
    }
    this.joinedCounts.set(frame.room, (this.joinedCounts.get(frame.room) ?? 0) + 1);
    if (frame.you.id !== this.userId) this.violations.push(`[${frame.room}] joined as ${frame.you.id}, ready said ${this.userId}`);
    const { messages } = frame;
    // The messages are one run of seqs ending at latestSeq, starting right after since when complete.
    const first = frame.complete ? link.since + 1 : (messages[0]?.seq ?? link.since + 1);
    messages.forEach((message, index) => {
      if (message.seq !== first + index)
        this.violations.push(`[${frame.room}] joined has seq ${message.seq} where ${first + index} belongs`);
      this.merge(message, frame.room);
    });
    const end = messages.at(-1)?.seq ?? (frame.complete ? link.since : frame.latestSeq);
    if (end !== frame.latestSeq) this.violations.push(`[${frame.room}] joined ended at seq ${end}, latestSeq says ${frame.latestSeq}`);
    link.joined = true;
    link.liveSeq = frame.latestSeq;
    link.latestSeq = frame.latestSeq;
    if (!frame.complete) this.requestFill(frame.room, link, link.since);
    for (const pending of this.outbox.values()) if (pending.room === frame.room) this.transmit(pending);
  }

  private requestFill(room: string, link: RoomLink, after: number): void {
    link.fillingAfter = after;
    this.connection?.send({ type: "history", room, after, limit: FILL_PAGE });
  }

  /** A page of a fill: the next seqs after the last page, until the server says there is nothing newer. */
  private filled(frame: ServerFrameOf<"history">): void {
    const link = this.links.get(frame.room);
    const after = link?.fillingAfter;
    if (!link || after === undefined || frame.hasNewer === undefined) {
      this.violations.push(`[${frame.room}] a history page nobody asked for`);
      return;
    }
    frame.messages.forEach((message, index) => {
      if (message.seq !== after + 1 + index)
        this.violations.push(`[${frame.room}] fill page has seq ${message.seq} where ${after + 1 + index} belongs`);
      this.merge(message, frame.room);
    });
    const last = frame.messages.at(-1)?.seq ?? after;
    if (frame.hasNewer) {
      this.requestFill(frame.room, link, last);
      return;
    }
    link.fillingAfter = undefined;
    if (this.contiguousSeq(frame.room) < link.latestSeq) {
      this.violations.push(`[${frame.room}] the fill ended at seq ${this.contiguousSeq(frame.room)}, joined said ${link.latestSeq}`);
    }
  }

  private live(message: ServerFrameOf<"chat" | "edit" | "delete" | "reaction">): void {
    const link = this.links.get(message.room);
    if (!link?.joined) {
      this.violations.push(`[${message.room}] ${message.type} seq ${message.seq} before joined`);
      return;
    }
    if (message.seq !== link.liveSeq + 1) {
      this.violations.push(`[${message.room}] live ${message.type} seq ${message.seq} after ${link.liveSeq} on one connection`);
    }
    link.liveSeq = Math.max(link.liveSeq, message.seq);
    this.merge(message, message.room);
  }

  private refused(frame: ServerFrameOf<"error">): void {
    const link = frame.room === undefined ? undefined : this.links.get(frame.room);
    if (link && !link.joined && frame.clientMsgId === undefined && this.resendRefused) {
      // A join the server could not complete (its store is away): join again later, as the real client does.
      const connection = this.connection;
      setTimeout(() => {
        if (this.connection === connection && this.links.get(frame.room as string) === link) {
          connection?.send({ type: "join", room: frame.room as string, since: link.since });
        }
      }, RETRY_MS);
      return;
    }
    const pending = frame.clientMsgId === undefined ? undefined : this.outbox.get(frame.clientMsgId);
    if (!this.resendRefused || !pending) {
      this.violations.push(`[${frame.room ?? "connection"}] error ${frame.code}: ${frame.message}`);
      return;
    }
    // No ack: the message stays in the outbox and goes again, as the real client does.
    setTimeout(() => {
      if (this.outbox.has(pending.clientMsgId)) this.transmit(pending);
    }, frame.retryAfterMs ?? RETRY_MS);
  }

  private merge(message: PageEvent, room: string): void {
    if (message.room !== room) this.violations.push(`[${room}] carries an event of room ${message.room}`);
    const events = this.events.get(room);
    if (!events) return;
    const known = events.get(message.seq);
    // A chat's state and an edit's text may change between two reads; what the seq is may not.
    if (known && !isDeepStrictEqual(identityOf(known), identityOf(message))) {
      this.violations.push(`[${room}] seq ${message.seq} changed: ${JSON.stringify(known)} then ${JSON.stringify(message)}`);
    }
    events.set(message.seq, message);
    // In seq order only: a change applied ahead of an older one to the same chat would hide it
    // (its seq is no longer above the chat's rev), so what waits behind a hole waits here too.
    const projection = this.projections.get(room);
    if (!projection) return;
    for (let next = events.get(projection.upTo + 1); next; next = events.get(projection.upTo + 1)) projection.apply(next);
    // The echo of one's own change also settles it (the ack may be the frame that was lost).
    const sender = message.type === "chat" ? message.from : "by" in message ? message.by : undefined;
    if (sender?.id === this.userId && "clientMsgId" in message) this.outbox.delete(message.clientMsgId);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** What an event is, apart from how it stands now: its kind, seq, sender, time and clientMsgId. */
function identityOf(event: PageEvent): unknown {
  if (event.type === "chat") return [event.type, event.seq, event.id, event.from, event.ts, event.clientMsgId];
  if (event.type === "unknown-event") return [event.type, event.seq];
  if (event.type === "moderation") return [event.type, event.seq, event.action, event.by, event.ts, event.clientMsgId];
  return [event.type, event.seq, event.target, event.by, event.ts, event.clientMsgId];
}

/** A room's log as `seq:id` lines, for comparing clients (a client of one room may leave the room out). */
export function logSignature(client: ResumingClient, room?: string): string[] {
  return [...client.log(room).values()].sort((a, b) => a.seq - b.seq).map((message) => `${message.seq}:${message.id}`);
}
