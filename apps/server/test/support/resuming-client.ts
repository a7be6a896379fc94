import { isDeepStrictEqual } from "node:util";
import type { ChatFrame, ServerFrame } from "@chatroom/protocol";
import { TestClient } from "./test-client";

interface Pending {
  clientMsgId: string;
  text: string;
}

export interface ResumingClientOptions {
  name: string;
  room: string;
  /** Where `start()` connects, tried in turn on every reconnect. */
  endpoints?: string[];
  /**
   * What a refused message (an `error` naming one of its clientMsgIds) is. False (the default):
   * a violation, for servers that must never refuse. True: a reason to send it again, as the
   * real client does, for tests that take the store away on purpose.
   */
  resendRefused?: boolean;
}

/** Client-side pause before a reconnect or a resend, as a real client backs off: not a test wait. */
const RETRY_MS = 100;

/**
 * A chat client as the protocol asks clients to behave, for durability and cluster tests: it
 * keeps a seq-keyed log, reconnects with `since` and its `session`, and resends every un-acked
 * message from its outbox with the same `clientMsgId`. It also checks, per connection, the
 * server's guarantees: the welcome resumes completely, chats arrive in seq order with no gap and
 * no seq twice, a seq never changes its message, the session and user survive; breaches land in
 * `violations`.
 *
 * Two ways to drive it: `connect(url)` / `disconnect()` one connection at a time, or `start()`,
 * which keeps it connected to `endpoints` (the next one after every drop) until `stop()`.
 */
export class ResumingClient {
  readonly name: string;
  readonly room: string;
  /** Every chat seen, by seq. */
  readonly log = new Map<number, ChatFrame>();
  /** Every ack received, in order (duplicates included). */
  readonly acks: Array<{ clientMsgId: string; seq: number }> = [];
  /** Every message this client ever asked to send, in order. */
  readonly sent: Pending[] = [];
  /** Every valid frame of every connection, in arrival order. */
  readonly frames: ServerFrame[] = [];
  readonly violations: string[] = [];
  session: string | undefined;
  userId: string | undefined;
  connection: TestClient | undefined;
  /** Welcomes received, one per connection that got as far. */
  welcomes = 0;
  private endpoints: string[];
  private endpoint = 0;
  private readonly resendRefused: boolean;
  private readonly outbox = new Map<string, Pending>();
  private counter = 0;
  /** Highest seq received on the current connection; every chat must be exactly one above. */
  private connectionSeq = 0;
  private live = false;
  private running = false;
  private readonly waiters = new Set<() => void>();

  constructor(options: ResumingClientOptions) {
    this.name = options.name;
    this.room = options.room;
    this.endpoints = options.endpoints ?? [];
    this.resendRefused = options.resendRefused ?? false;
  }

  /** Highest seq with every seq below it in the log. */
  get contiguousSeq(): number {
    let seq = 0;
    while (this.log.has(seq + 1)) seq++;
    return seq;
  }

  /** Messages sent and not acked yet. */
  get pending(): number {
    return this.outbox.size;
  }

  /** clientMsgId -> the seq its (last) ack named. */
  get acked(): Map<string, number> {
    return new Map(this.acks.map((ack) => [ack.clientMsgId, ack.seq]));
  }

  /** Welcomed and open: new messages go out at once instead of waiting in the outbox. */
  get connected(): boolean {
    return this.live && (this.connection?.isOpen ?? false);
  }

  /** Connects once (resuming when it has a session), merges the welcome and resends the outbox. */
  async connect(wsUrl: string): Promise<void> {
    const since = this.contiguousSeq;
    const query: Record<string, string | number> = { room: this.room, name: this.name, since };
    if (this.session) query.session = this.session;
    this.live = false;
    const connection = await TestClient.connect(wsUrl, { query });
    this.connection = connection;
    this.connectionSeq = since;
    // Frames that arrived with the upgrade are replayed first, then the listener takes over.
    for (const frame of connection.frames) this.handle(frame);
    connection.onFrame((frame) => this.handle(frame));
    void connection.closed.then(() => {
      if (this.connection !== connection) return;
      this.live = false;
      this.wake();
      if (this.running) setTimeout(() => this.reconnect(), RETRY_MS);
    });
    await connection.waitForType("welcome", { timeoutMs: 10_000 });
  }

  /** Connects to the endpoints and stays connected (to the next one after every drop) until `stop()`. */
  async start(): Promise<void> {
    this.running = true;
    this.reconnect();
    await this.until(() => this.connected, "the first welcome");
  }

  /** Replaces the endpoint list, e.g. when a node is gone for good. */
  useEndpoints(endpoints: string[]): void {
    this.endpoints = endpoints;
    this.endpoint = 0;
  }

  /** Queues a message and sends it now if connected; it stays in the outbox until acked. */
  send(text: string): string {
    const clientMsgId = `${this.name}-${++this.counter}`;
    const pending = { clientMsgId, text };
    this.sent.push(pending);
    this.outbox.set(clientMsgId, pending);
    this.transmit(pending);
    return clientMsgId;
  }

  /** Sends one message again with an id it already used, as a client that lost an ack would. */
  resend(pending: Pending): void {
    this.connection?.send({ type: "chat", text: pending.text, clientMsgId: pending.clientMsgId });
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
        reject(new Error(`${this.name}: gave up waiting for ${what} (log ${this.log.size}, pending ${this.outbox.size})`));
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

  private reconnect(): void {
    if (!this.running) return;
    const url = this.endpoints[this.endpoint++ % this.endpoints.length];
    if (url === undefined) throw new Error(`${this.name} has no endpoint to connect to`);
    const previous = this.connection;
    this.connect(url).catch(() => {
      // Refused before there was a connection: try the next endpoint. (A connection that closes
      // before its welcome is retried by its own close handler.)
      if (this.running && this.connection === previous) setTimeout(() => this.reconnect(), RETRY_MS);
    });
  }

  private transmit(pending: Pending): void {
    if (this.connected) this.connection?.send({ type: "chat", text: pending.text, clientMsgId: pending.clientMsgId });
  }

  private handle(frame: ServerFrame): void {
    this.frames.push(frame);
    switch (frame.type) {
      case "welcome":
        this.welcome(frame);
        break;
      case "chat":
        this.receive(frame, "live");
        break;
      case "ack":
        this.acks.push({ clientMsgId: frame.clientMsgId, seq: frame.seq });
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

  private welcome(frame: Extract<ServerFrame, { type: "welcome" }>): void {
    this.welcomes++;
    if (!frame.complete) this.violations.push(`welcome after since=${this.connectionSeq} was not complete`);
    if (this.session && frame.session !== this.session) this.violations.push(`session ${this.session} was not resumed`);
    if (this.userId && frame.you.id !== this.userId) this.violations.push(`user id changed from ${this.userId} to ${frame.you.id}`);
    this.session = frame.session;
    this.userId = frame.you.id;
    for (const message of frame.messages) this.receive(message, "welcome");
    if (this.connectionSeq !== frame.latestSeq) {
      this.violations.push(`welcome ended at seq ${this.connectionSeq}, latestSeq says ${frame.latestSeq}`);
    }
    this.live = true;
    for (const pending of this.outbox.values()) this.transmit(pending);
  }

  private refused(frame: Extract<ServerFrame, { type: "error" }>): void {
    const pending = frame.clientMsgId === undefined ? undefined : this.outbox.get(frame.clientMsgId);
    if (!this.resendRefused || !pending) {
      this.violations.push(`error ${frame.code}: ${frame.message}`);
      return;
    }
    // No ack: the message stays in the outbox and goes again, as the real client does.
    setTimeout(() => {
      if (this.outbox.has(pending.clientMsgId)) this.transmit(pending);
    }, frame.retryAfterMs ?? RETRY_MS);
  }

  private receive(message: ChatFrame, via: string): void {
    if (message.seq !== this.connectionSeq + 1) {
      this.violations.push(`${via} chat seq ${message.seq} after ${this.connectionSeq} on one connection`);
    }
    this.connectionSeq = Math.max(this.connectionSeq, message.seq);
    const known = this.log.get(message.seq);
    if (known && !isDeepStrictEqual(known, message)) {
      this.violations.push(`seq ${message.seq} changed: ${JSON.stringify(known)} then ${JSON.stringify(message)}`);
    }
    this.log.set(message.seq, message);
    // The echo of one's own message also settles it (the ack may be the frame that was lost).
    if (message.from.id === this.userId) this.outbox.delete(message.clientMsgId);
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

/** The log as `seq:id` lines, for comparing clients. */
export function logSignature(client: ResumingClient): string[] {
  return [...client.log.values()].sort((a, b) => a.seq - b.seq).map((message) => `${message.seq}:${message.id}`);
}
