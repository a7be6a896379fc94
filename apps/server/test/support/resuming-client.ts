import type { ChatFrame, ServerFrame } from "@chatroom/protocol";
import { TestClient } from "./test-client";

interface Pending {
  clientMsgId: string;
  text: string;
}

/**
 * A chat client as the protocol asks clients to behave, for durability tests: it keeps a
 * seq-keyed log, reconnects with `since` and its `session`, and resends every un-acked message
 * from its outbox with the same `clientMsgId`. It also checks, per connection, the server's
 * guarantees: chats arrive in seq order with no gap and no seq twice; breaches land in
 * `violations`.
 */
export class ResumingClient {
  /** Every chat seen, by seq. */
  readonly log = new Map<number, ChatFrame>();
  /** clientMsgId -> seq, for every ack received (all of them, duplicates included). */
  readonly acks: Array<{ clientMsgId: string; seq: number }> = [];
  /** Every message this client ever asked to send, in order. */
  readonly sent: Pending[] = [];
  readonly violations: string[] = [];
  session: string | undefined;
  userId: string | undefined;
  connection: TestClient | undefined;
  private outbox = new Map<string, Pending>();
  private counter = 0;
  /** Highest seq received on the current connection; every chat must be exactly one above. */
  private connectionSeq = 0;
  private live = false;

  constructor(
    readonly name: string,
    readonly room: string,
  ) {}

  /** Highest seq with every seq below it in the log. */
  get contiguousSeq(): number {
    let seq = 0;
    while (this.log.has(seq + 1)) seq++;
    return seq;
  }

  get pending(): number {
    return this.outbox.size;
  }

  /** Welcomed and open: new messages go out at once instead of waiting in the outbox. */
  get connected(): boolean {
    return this.live && (this.connection?.isOpen ?? false);
  }

  /** Connects (resuming when it has a session), merges the welcome and resends the outbox. */
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
    const welcome = await connection.waitForType("welcome", { timeoutMs: 10_000 });
    if (this.session && welcome.session !== this.session) this.violations.push(`session ${this.session} was not resumed`);
    if (this.userId && welcome.you.id !== this.userId) this.violations.push(`user id changed from ${this.userId} to ${welcome.you.id}`);
    this.session = welcome.session;
    this.userId = welcome.you.id;
    for (const pending of this.outbox.values()) connection.send({ type: "chat", text: pending.text, clientMsgId: pending.clientMsgId });
    this.live = true;
    void connection.closed.then(() => {
      if (this.connection === connection) this.live = false;
    });
  }

  /** Queues a message and sends it now if connected; it stays in the outbox until acked. */
  send(text: string): string {
    const clientMsgId = `${this.name}-${++this.counter}`;
    const pending = { clientMsgId, text };
    this.sent.push(pending);
    this.outbox.set(clientMsgId, pending);
    if (this.connected) this.connection?.send({ type: "chat", text, clientMsgId });
    return clientMsgId;
  }

  /** Sends one message again with an id it already used, as a client that lost an ack would. */
  resend(pending: Pending): void {
    this.connection?.send({ type: "chat", text: pending.text, clientMsgId: pending.clientMsgId });
  }

  async disconnect(): Promise<void> {
    await this.connection?.close();
  }

  private handle(frame: ServerFrame): void {
    switch (frame.type) {
      case "welcome":
        if (!frame.complete) this.violations.push(`welcome after since=${this.connectionSeq} was not complete`);
        for (const message of frame.messages) this.receive(message, "welcome");
        if (this.connectionSeq !== frame.latestSeq) {
          this.violations.push(`welcome ended at seq ${this.connectionSeq}, latestSeq says ${frame.latestSeq}`);
        }
        return;
      case "chat":
        this.receive(frame, "live");
        return;
      case "ack":
        this.acks.push({ clientMsgId: frame.clientMsgId, seq: frame.seq });
        this.outbox.delete(frame.clientMsgId);
        return;
      case "error":
        this.violations.push(`error ${frame.code}: ${frame.message}`);
        return;
      default:
        return;
    }
  }

  private receive(message: ChatFrame, via: string): void {
    if (message.seq !== this.connectionSeq + 1) {
      this.violations.push(`${via} chat seq ${message.seq} after ${this.connectionSeq} on one connection`);
    }
    this.connectionSeq = Math.max(this.connectionSeq, message.seq);
    const known = this.log.get(message.seq);
    if (known && JSON.stringify(known) !== JSON.stringify(message)) {
      this.violations.push(`seq ${message.seq} changed: ${JSON.stringify(known)} then ${JSON.stringify(message)}`);
    }
    this.log.set(message.seq, message);
    // The echo of one's own message also settles it (the ack may be the frame that was lost).
    if (message.from.id === this.userId) this.outbox.delete(message.clientMsgId);
  }
}
