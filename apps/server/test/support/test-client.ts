import { type ClientFrame, type ServerFrame, type ServerFrameOf, type ServerFrameType, serverFrameSchema } from "@chatroom/protocol";
import type WebSocket from "ws";
import { type Closed, RawClient } from "../acceptance/raw-client";

export type CloseEvent = Closed;

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
 * The typed protocol client of the server tests and e2e: the acceptance suite's `RawClient`
 * (socket, waiting, closing) with every frame checked against `serverFrameSchema`. A frame that
 * fails the schema lands in `invalid`, so tests can assert there are none.
 *
 * The layers: `hostile/support/raw-socket.ts` speaks bytes on a bare TCP socket;
 * `acceptance/raw-client.ts` speaks JSON and trusts no project code; this speaks protocol v1;
 * `resuming-client.ts` behaves like a real client (outbox, resume) on top of this.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly invalid: Array<{ raw: string; error: string }> = [];
  private readonly listeners = new Set<(frame: ServerFrame) => void>();

  private raw!: RawClient;

  private constructor() {}

  /** Opens a socket and resolves once the upgrade succeeded (not waiting for the welcome). */
  static async connect(wsUrl: string, options: ConnectOptions = {}): Promise<TestClient> {
    const client = new TestClient();
    client.raw = await RawClient.open(wsUrl, options.query ?? {}, {
      ...(options.headers ? { headers: options.headers } : {}),
      autoPong: options.autoPong ?? true,
      // Runs before the raw client wakes its waiters, so a wait sees the typed frame.
      onMessage: (text) => client.record(text),
    });
    return client;
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

  get socket(): WebSocket {
    return this.raw.socket;
  }

  /** Resolves with the close event, whoever closed. */
  get closed(): Promise<CloseEvent> {
    return this.raw.closed;
  }

  get closeEvent(): CloseEvent | undefined {
    return this.raw.closedWith;
  }

  /** Calls `listener` for every valid frame from now on, in arrival order; returns an unsubscribe. */
  onFrame(listener: (frame: ServerFrame) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(frame: ClientFrame): void {
    this.raw.send(frame);
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
    let scanned = options.from ?? 0;
    return this.raw.until(() => {
      for (; scanned < this.frames.length; scanned++) {
        const frame = this.frames[scanned] as ServerFrame;
        if (predicate(frame, scanned)) return frame as T;
      }
      return undefined;
    }, options.timeoutMs ?? DEFAULT_WAIT_MS);
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
    return this.raw.closeWithin(timeoutMs);
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
    return this.raw.isOpen;
  }

  /** Closes (if still open) and waits for the close to finish. */
  close(code = 1000): Promise<void> {
    return this.raw.close(code);
  }

  /** Drops the TCP connection without a closing handshake, like a crashed tab. */
  terminate(): void {
    this.socket.terminate();
  }

  private record(text: string | undefined): void {
    const raw = text ?? "<binary>";
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      this.invalid.push({ raw, error: "not JSON" });
      return;
    }
    const result = serverFrameSchema.safeParse(parsed);
    if (!result.success) {
      this.invalid.push({ raw, error: result.error.message });
      return;
    }
    this.frames.push(result.data);
    for (const listener of this.listeners) listener(result.data);
  }
}
