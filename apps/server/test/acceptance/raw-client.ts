import WebSocket from "ws";

/**
 * A deliberately independent client for the acceptance suite: raw `ws`, JSON parsed by hand,
 * no project schemas. Every text frame the server sends is kept as a plain object (or recorded
 * in `notJson`), so the suite can check exact key sets itself. It imports nothing of the
 * project, on purpose; the typed `TestClient` of the other suites is built on top of it.
 */

export type Frame = Record<string, unknown> & { type?: unknown };

export interface Closed {
  code: number;
  reason: string;
}

export interface OpenOptions {
  headers?: Record<string, string>;
  /** False makes the client ignore the server's pings, like a peer whose network died. */
  autoPong?: boolean;
  /** Sees every message from the first one on (one may come in the same tick as the upgrade). */
  onMessage?: MessageListener;
}

/** Sees every message as it arrives, before any wait wakes: its text, or undefined for binary. */
export type MessageListener = (text: string | undefined) => void;

const DEFAULT_WAIT_MS = 10_000;

export class RawClient {
  readonly frames: Frame[] = [];
  readonly notJson: string[] = [];
  binaryFrames = 0;
  closedWith: Closed | undefined;
  readonly closed: Promise<Closed>;
  private readonly wakers = new Set<() => void>();
  private readonly listeners = new Set<MessageListener>();

  private constructor(readonly socket: WebSocket) {
    this.closed = new Promise((resolve) => {
      socket.on("close", (code, reason) => {
        this.closedWith = { code, reason: reason.toString("utf8") };
        resolve(this.closedWith);
        this.wake();
      });
    });
    socket.on("message", (data, isBinary) => {
      for (const listener of this.listeners) listener(isBinary ? undefined : data.toString());
      if (isBinary) {
        this.binaryFrames++;
        this.wake();
        return;
      }
      const raw = data.toString();
      try {
        this.frames.push(JSON.parse(raw) as Frame);
      } catch {
        this.notJson.push(raw);
      }
      this.wake();
    });
    socket.on("error", () => {});
  }

  /** Opens `/ws` with the query as given; resolves once the upgrade succeeded. */
  static open(wsUrl: string, query: Record<string, string | number> = {}, options: OpenOptions = {}): Promise<RawClient> {
    const url = new URL(wsUrl);
    for (const [key, value] of Object.entries(query)) url.searchParams.set(key, String(value));
    const socket = new WebSocket(url, { headers: options.headers, autoPong: options.autoPong ?? true, perMessageDeflate: false });
    const client = new RawClient(socket);
    if (options.onMessage) client.onMessage(options.onMessage);
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(client));
      socket.once("unexpected-response", (_req, res) => {
        res.resume();
        reject(new UpgradeRefused(res.statusCode ?? 0));
      });
      socket.once("error", reject);
    });
  }

  /** Opens, says hello (the fields as given, plus `protocol: 2` unless given) and waits for `ready`. */
  static async ready(wsUrl: string, hello: Record<string, unknown> = {}): Promise<RawClient & { ready: Frame }> {
    const client = await RawClient.open(wsUrl);
    const ready = await client.hello(hello);
    return Object.assign(client, { ready });
  }

  /** Opens, says hello and joins `room`; resolves once its `joined` arrived. */
  static async joined(
    wsUrl: string,
    room: string,
    options: { hello?: Record<string, unknown>; since?: number } = {},
  ): Promise<RawClient & { ready: Frame; joined: Frame }> {
    const client = await RawClient.ready(wsUrl, options.hello);
    const joined = await client.join(room, options.since);
    return Object.assign(client, { joined });
  }

  /** Sends `hello` and resolves with the answer to it, which must be `ready`. */
  async hello(fields: Record<string, unknown> = {}): Promise<Frame> {
    const from = this.frames.length;
    this.send({ type: "hello", protocol: 2, ...fields });
    const answer = await this.waitFor((frame) => frame.type === "ready" || (frame.type === "error" && frame.room === undefined), { from });
    if (answer.type !== "ready") throw new Error(`hello refused: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Sends `join` and resolves with that room's `joined` (rejects if an error about the room comes first). */
  async join(room: string, since?: number): Promise<Frame> {
    const from = this.frames.length;
    this.send(since === undefined ? { type: "join", room } : { type: "join", room, since });
    const answer = await this.waitFor((frame) => (frame.type === "joined" || frame.type === "error") && frame.room === room, { from });
    if (answer.type !== "joined") throw new Error(`join of ${room} refused: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Calls `listener` for every message from now on; returns an unsubscribe. */
  onMessage(listener: MessageListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  send(frame: unknown): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendText(text: string): void {
    this.socket.send(text, { binary: false });
  }

  sendBinary(data: Buffer): void {
    this.socket.send(data, { binary: true });
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((frame) => frame.type === type);
  }

  /** First frame at index >= `from` matching `predicate`; rejects on close or after the deadline. */
  waitFor(predicate: (frame: Frame) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    let index = options.from ?? 0;
    return this.until(() => {
      for (; index < this.frames.length; index++) {
        const frame = this.frames[index] as Frame;
        if (predicate(frame)) return frame;
      }
      return undefined;
    }, options.timeoutMs);
  }

  waitForType(type: string, options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    return this.waitFor((frame) => frame.type === type, options);
  }

  /** Resolves with the first non-undefined value of `probe`, re-run on every frame. */
  until<T>(probe: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const value = probe();
        if (value !== undefined) {
          done();
          resolve(value);
        } else if (this.closedWith) {
          done();
          reject(new Error(`closed (${this.closedWith.code}) before the condition held; frames: ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`timed out after ${timeoutMs} ms; frames: ${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.wakers.delete(check);
      };
      this.wakers.add(check);
      check();
    });
  }

  /** Resolves with the close, or rejects if the socket is still open after the deadline. */
  closeWithin(timeoutMs = DEFAULT_WAIT_MS): Promise<Closed> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`still open after ${timeoutMs} ms; frames: ${this.describe()}`)), timeoutMs);
      void this.closed.then((closed) => {
        clearTimeout(timer);
        resolve(closed);
      });
    });
  }

  /** Sends a ping with a fresh `t` and waits for its pong: proof that the connection is alive and caught up. */
  async roundTrip(): Promise<void> {
    const t = Math.floor(Math.random() * 1e9);
    const from = this.frames.length;
    this.send({ type: "ping", t });
    await this.waitFor((frame) => frame.type === "pong" && frame.t === t, { from });
  }

  get isOpen(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Closes (if still open) and waits for the close to finish; a peer that never answers is cut. */
  async close(code = 1000): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState !== WebSocket.CLOSING) this.socket.close(code);
    const timer = setTimeout(() => this.socket.terminate(), 2_000);
    await this.closed;
    clearTimeout(timer);
  }

  describe(): string {
    return JSON.stringify(this.frames.slice(-8)).slice(0, 1500);
  }

  private wake(): void {
    for (const waker of [...this.wakers]) waker();
  }
}

export class UpgradeRefused extends Error {
  constructor(readonly status: number) {
    super(`upgrade refused: HTTP ${status}`);
  }
}

/** The status of a plain upgrade attempt: 101 when accepted, else the HTTP status. */
export async function upgradeStatus(wsUrl: string, headers: Record<string, string>): Promise<number> {
  try {
    const client = await RawClient.open(wsUrl, {}, { headers });
    await client.close();
    return 101;
  } catch (error) {
    if (error instanceof UpgradeRefused) return error.status;
    throw error;
  }
}

export function keysOf(value: unknown): string[] {
  return value !== null && typeof value === "object" ? Object.keys(value).sort() : [];
}

export function isInt(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value);
}
