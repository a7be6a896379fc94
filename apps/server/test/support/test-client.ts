import { type ClientFrame, type ServerFrame, type ServerFrameOf, type ServerFrameType, serverFrameSchema } from "@chatroom/protocol";
import WebSocket from "ws";

export interface CloseEvent {
  code: number;
  reason: string;
}

export interface ConnectOptions {
  /** The `/ws` query; values are sent as given, so tests can send bad ones. */
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
  /** False makes the client ignore the server's pings, like a peer whose network died. */
  autoPong?: boolean;
}

type Predicate = (frame: ServerFrame, index: number) => boolean;

const DEFAULT_WAIT_MS = 5_000;

/**
 * A `ws` client that records every frame the server sends, checked against `serverFrameSchema`
 * (a frame that fails the schema lands in `invalid`, so tests can assert there are none).
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly invalid: Array<{ raw: string; error: string }> = [];
  readonly closed: Promise<CloseEvent>;
  closeEvent: CloseEvent | undefined;
  private waiters = new Set<() => void>();
  private readonly listeners = new Set<(frame: ServerFrame) => void>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        this.closeEvent = { code, reason: reason.toString("utf8") };
        resolve(this.closeEvent);
        this.wake();
      });
    });
    socket.on("message", (data, isBinary) => {
      const raw = isBinary ? "<binary>" : data.toString();
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        this.invalid.push({ raw, error: "not JSON" });
        return;
      }
      const result = serverFrameSchema.safeParse(parsed);
      if (result.success) {
        this.frames.push(result.data);
        for (const listener of this.listeners) listener(result.data);
      } else this.invalid.push({ raw, error: result.error.message });
      this.wake();
    });
    // Errors surface through `closed`; an unhandled 'error' event would crash the test worker.
    socket.on("error", () => {});
  }

  /** Opens a socket and resolves once the upgrade succeeded (not waiting for the welcome). */
  static connect(wsUrl: string, options: ConnectOptions = {}): Promise<TestClient> {
    const url = new URL(wsUrl);
    for (const [key, value] of Object.entries(options.query ?? {})) url.searchParams.set(key, String(value));
    const socket = new WebSocket(url, { headers: options.headers, autoPong: options.autoPong ?? true });
    const client = new TestClient(socket);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(client));
      socket.once("unexpected-response", (_request, response) => reject(new Error(`upgrade refused: HTTP ${response.statusCode}`)));
      socket.once("error", reject);
    });
  }

  /** Connects and waits for the welcome. */
  static async join(
    wsUrl: string,
    query: Record<string, string | number> = {},
  ): Promise<TestClient & { welcome: ServerFrameOf<"welcome"> }> {
    const client = await TestClient.connect(wsUrl, { query });
    const welcome = await client.waitForType("welcome");
    return Object.assign(client, { welcome });
  }

  /** Calls `listener` for every valid frame from now on, in arrival order; returns an unsubscribe. */
  onFrame(listener: (frame: ServerFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(frame: ClientFrame): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer, options: { binary?: boolean } = {}): void {
    this.socket.send(data, { binary: options.binary ?? false });
  }

  ofType<T extends ServerFrameType>(type: T): Array<ServerFrameOf<T>> {
    return this.frames.filter((frame): frame is ServerFrameOf<T> => frame.type === type);
  }

  /**
   * Resolves with the first frame at index >= `from` that matches; rejects after `timeoutMs`
   * or when the socket closes without one.
   */
  waitFor<T extends ServerFrame = ServerFrame>(
    predicate: Predicate | ((frame: ServerFrame, index: number) => frame is T),
    options: { from?: number; timeoutMs?: number } = {},
  ): Promise<T> {
    const from = options.from ?? 0;
    const timeoutMs = options.timeoutMs ?? DEFAULT_WAIT_MS;
    return new Promise((resolve, reject) => {
      let scanned = from;
      const check = () => {
        for (; scanned < this.frames.length; scanned++) {
          const frame = this.frames[scanned] as ServerFrame;
          if (predicate(frame, scanned)) {
            done();
            resolve(frame as T);
            return;
          }
        }
        if (this.closeEvent) {
          done();
          reject(
            new Error(`socket closed (${this.closeEvent.code} ${this.closeEvent.reason}) before the frame arrived; got ${this.describe()}`),
          );
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for a frame; got ${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  waitForType<T extends ServerFrameType>(type: T, options: { from?: number; timeoutMs?: number } = {}): Promise<ServerFrameOf<T>> {
    return this.waitFor((frame): frame is ServerFrameOf<T> => frame.type === type, options);
  }

  /** Waits until `count` frames of `type` have arrived in total. */
  async waitForCount<T extends ServerFrameType>(type: T, count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<Array<ServerFrameOf<T>>> {
    let seen = 0;
    await this.waitFor((frame) => frame.type === type && ++seen >= count, { timeoutMs });
    return this.ofType(type);
  }

  /** Resolves with the close event, or rejects after `timeoutMs`. */
  waitForClose(timeoutMs = DEFAULT_WAIT_MS): Promise<CloseEvent> {
    return Promise.race([
      this.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`socket still open after ${timeoutMs} ms`)), timeoutMs).unref()),
    ]);
  }

  /** Every chat this connection saw, from welcomes, history pages and the live stream, as sent. */
  chatFrames(): Array<ServerFrameOf<"chat">> {
    const chats: Array<ServerFrameOf<"chat">> = [];
    for (const frame of this.frames) {
      if (frame.type === "chat") chats.push(frame);
      else if (frame.type === "welcome" || frame.type === "history") chats.push(...frame.messages);
    }
    return chats;
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes (if still open) and waits for the close to finish. */
  async close(code = 1000): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(code);
    await this.waitForClose().catch(() => this.socket.terminate());
  }

  /** Drops the TCP connection without a closing handshake, like a crashed tab. */
  terminate(): void {
    this.socket.terminate();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  private describe(): string {
    const types = this.frames.map((frame) => frame.type);
    return `[${types.slice(-20).join(", ")}]${this.invalid.length ? ` and ${this.invalid.length} invalid` : ""}`;
  }
}
