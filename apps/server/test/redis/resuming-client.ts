import { type ChatFrame, type ServerFrame, serverFrameSchema } from "@chatroom/protocol";
import WebSocket from "ws";

/**
 * A test client that behaves like the real one where it matters for the cluster: an outbox that
 * resends until acked (same clientMsgId, so the store dedupes), and reconnects that resume with
 * `session` + `since` on whichever endpoint answers. It records every protocol violation it sees
 * (a live seq that is not exactly the next one, an incomplete resume, a changed message).
 */
export class ResumingClient {
  readonly log = new Map<number, ChatFrame>();
  readonly violations: string[] = [];
  /** clientMsgId -> seq the server acked. */
  readonly acked = new Map<string, number>();
  readonly frames: ServerFrame[] = [];
  session: string | undefined;
  userId: string | undefined;
  welcomes = 0;
  private readonly outbox = new Map<string, string>();
  private socket: WebSocket | undefined;
  private live = false;
  private expectedSeq = 0;
  private endpoint = 0;
  private stopped = false;
  private counter = 0;
  private readonly waiters = new Set<() => void>();

  constructor(
    private endpoints: string[],
    private readonly room: string,
    readonly name: string,
  ) {}

  /** Opens the first connection and resolves on its welcome. */
  async start(): Promise<void> {
    this.open();
    await this.until(() => this.live, 10_000, "first welcome");
  }

  /** Replaces the endpoint list, e.g. when a node is gone for good. */
  useEndpoints(endpoints: string[]): void {
    this.endpoints = endpoints;
    this.endpoint = 0;
  }

  send(text: string): string {
    const clientMsgId = `${this.name}-${this.counter++}`;
    this.outbox.set(clientMsgId, text);
    this.transmit(clientMsgId, text);
    return clientMsgId;
  }

  get pending(): number {
    return this.outbox.size;
  }

  get isLive(): boolean {
    return this.live;
  }

  /** The highest seq below which this client has every message. */
  get contiguousSeq(): number {
    let seq = 0;
    while (this.log.has(seq + 1)) seq++;
    return seq;
  }

  until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition()) return;
        clearTimeout(timer);
        this.waiters.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`${this.name}: timed out waiting for ${what} (log ${this.log.size}, pending ${this.outbox.size})`));
      }, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const socket = this.socket;
    if (!socket || socket.readyState === WebSocket.CLOSED) return;
    await new Promise<void>((resolve) => {
      socket.once("close", () => resolve());
      socket.close(1000);
      setTimeout(() => {
        socket.terminate();
        resolve();
      }, 2_000).unref();
    });
  }

  private open(): void {
    if (this.stopped) return;
    const base = this.endpoints[this.endpoint % this.endpoints.length] as string;
    const url = new URL(base);
    url.searchParams.set("room", this.room);
    url.searchParams.set("name", this.name);
    if (this.session) url.searchParams.set("session", this.session);
    if (this.log.size > 0) url.searchParams.set("since", String(this.contiguousSeq));
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.on("message", (data) => this.receive(data.toString()));
    socket.on("error", () => {});
    socket.on("close", () => {
      if (this.socket !== socket) return;
      this.live = false;
      this.endpoint++;
      if (!this.stopped) setTimeout(() => this.open(), 100);
    });
  }

  private receive(raw: string): void {
    const parsed = serverFrameSchema.safeParse(JSON.parse(raw));
    if (!parsed.success) {
      this.violations.push(`invalid frame ${raw.slice(0, 100)}`);
      return;
    }
    const frame = parsed.data;
    this.frames.push(frame);
    switch (frame.type) {
      case "welcome": {
        this.welcomes++;
        this.session = frame.session;
        this.userId = frame.you.id;
        if (this.log.size > 0 && !frame.complete) this.violations.push(`resume at ${this.contiguousSeq} was incomplete`);
        for (const message of frame.messages) this.record(message);
        this.expectedSeq = frame.latestSeq + 1;
        this.live = true;
        for (const [clientMsgId, text] of this.outbox) this.transmit(clientMsgId, text);
        break;
      }
      case "chat":
        if (frame.seq !== this.expectedSeq) this.violations.push(`live seq ${frame.seq}, expected ${this.expectedSeq}`);
        this.expectedSeq = frame.seq + 1;
        this.record(frame);
        break;
      case "ack":
        this.outbox.delete(frame.clientMsgId);
        this.acked.set(frame.clientMsgId, frame.seq);
        break;
      case "error":
        // No ack: the message stays in the outbox and goes again, as the real client does.
        if (frame.clientMsgId !== undefined && this.outbox.has(frame.clientMsgId)) {
          const { clientMsgId } = frame;
          setTimeout(() => {
            const text = this.outbox.get(clientMsgId);
            if (text !== undefined) this.transmit(clientMsgId, text);
          }, 100);
        }
        break;
      default:
        break;
    }
    for (const waiter of [...this.waiters]) waiter();
  }

  private record(message: ChatFrame): void {
    const known = this.log.get(message.seq);
    if (known && (known.id !== message.id || known.text !== message.text)) {
      this.violations.push(`seq ${message.seq} changed from ${known.id} to ${message.id}`);
    }
    this.log.set(message.seq, message);
  }

  private transmit(clientMsgId: string, text: string): void {
    if (!this.live || this.socket?.readyState !== WebSocket.OPEN) return;
    this.socket.send(JSON.stringify({ type: "chat", text, clientMsgId }));
  }
}

/** The log as `seq:id` lines, for comparing clients. */
export function logSignature(client: ResumingClient): string[] {
  return [...client.log.values()].sort((a, b) => a.seq - b.seq).map((message) => `${message.seq}:${message.id}`);
}
