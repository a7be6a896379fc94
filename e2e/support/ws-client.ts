import { createRequire } from "node:module";
import type WebSocketModule from "ws";
import { type ClientFrame, decodeServerFrame, encode, type ServerFrame } from "../../packages/protocol/src/index";

// `ws` is a dependency of the server, not of the workspace root; load it from there (the types come
// through the `paths` entry in e2e/tsconfig.json).
const requireFromServer = createRequire(new URL("../../apps/server/package.json", import.meta.url));
const WebSocket = requireFromServer("ws") as typeof WebSocketModule;

type FrameOf<T extends ServerFrame["type"]> = Extract<ServerFrame, { type: T }>;

/** A raw protocol v1 client, as a third-party program would be: no browser, no web app code. */
export class RawClient {
  readonly frames: ServerFrame[] = [];
  private waiters: Array<() => void> = [];
  closed: { code: number; reason: string } | undefined;
  /** A frame outside protocol v1; reported by the next wait instead of crashing the worker. */
  private violation: string | undefined;

  private constructor(private readonly socket: WebSocketModule) {
    socket.on("message", (data, isBinary) => {
      const decoded = isBinary ? undefined : decodeServerFrame(data.toString());
      if (decoded?.ok) this.frames.push(decoded.frame);
      else this.violation ??= `server sent a frame outside protocol v1: ${isBinary ? "(binary)" : data.toString()}`;
      this.wake();
    });
    socket.on("close", (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens `/ws` with the given query and resolves once the welcome arrived. */
  static async connect(wsUrl: string, query: Record<string, string> = {}): Promise<RawClient> {
    const url = new URL(wsUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, value);
    const socket = new WebSocket(url);
    // Listen before the socket opens: the welcome can arrive in the same tick as the open event.
    const client = new RawClient(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once("open", () => resolve());
      socket.once("error", reject);
    });
    await client.next("welcome");
    return client;
  }

  get welcome(): FrameOf<"welcome"> {
    const welcome = this.frames.find((frame): frame is FrameOf<"welcome"> => frame.type === "welcome");
    if (!welcome) throw new Error("no welcome yet");
    return welcome;
  }

  send(frame: ClientFrame): void {
    this.socket.send(encode(frame));
  }

  /** Every frame of one type received so far. */
  all<T extends ServerFrame["type"]>(type: T): FrameOf<T>[] {
    return this.frames.filter((frame): frame is FrameOf<T> => frame.type === type);
  }

  /** The first frame of `type` that satisfies `match`, waiting for it if need be. */
  async next<T extends ServerFrame["type"]>(
    type: T,
    match: (frame: FrameOf<T>) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<FrameOf<T>> {
    const found = () => this.all(type).find(match);
    await this.until(() => found() !== undefined, `a ${type} frame`, timeoutMs);
    return found() as FrameOf<T>;
  }

  /** Resolves once `condition` holds, checked after every frame. */
  async until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (this.violation) throw new Error(this.violation);
      if (this.closed) throw new Error(`connection closed (${this.closed.code}) while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const done = new Promise<void>((resolve) => this.socket.once("close", () => resolve()));
    this.socket.close(1000);
    await done;
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const waiter of waiters) waiter();
  }
}

/**
 * Stores `count` messages in `room` through several raw clients (each one stays inside its own
 * rate limit, and waits out `rate_limited` if a server is stricter). Resolves with the acked seqs.
 */
export async function seedMessages(
  wsUrl: string,
  room: string,
  count: number,
  text = (index: number) => `seed message ${index}`,
): Promise<number[]> {
  const clientCount = Math.min(15, count);
  const clients = await Promise.all(
    Array.from({ length: clientCount }, (_, index) => RawClient.connect(wsUrl, { room, name: `seeder-${index + 1}` })),
  );
  const seqs: number[] = [];
  let nextIndex = 0;
  try {
    await Promise.all(
      clients.map(async (client, clientIndex) => {
        for (let index = nextIndex++; index < count; index = nextIndex++) {
          const clientMsgId = `seed-${clientIndex}-${index}`;
          for (;;) {
            const errorsBefore = client.all("error").length;
            client.send({ type: "chat", text: text(index + 1), clientMsgId });
            await client.until(
              () => client.all("ack").some((ack) => ack.clientMsgId === clientMsgId) || client.all("error").length > errorsBefore,
              `the ack of ${clientMsgId}`,
            );
            const ack = client.all("ack").find((frame) => frame.clientMsgId === clientMsgId);
            if (ack) {
              seqs.push(ack.seq);
              break;
            }
            const error = client.all("error")[errorsBefore];
            if (error?.code !== "rate_limited") throw new Error(`seeding failed: ${error?.code} ${error?.message}`);
            await new Promise((resolve) => setTimeout(resolve, error.retryAfterMs ?? 250));
          }
        }
      }),
    );
  } finally {
    await Promise.all(clients.map((client) => client.close()));
  }
  return seqs.sort((a, b) => a - b);
}
