import {
  type ChatFrame,
  type ClientFrame,
  DEFAULT_ROOM,
  type JoinedFrame,
  type PageEvent,
  PROTOCOL_VERSION,
  type ReadyFrame,
  type RoomEvent,
  type ServerFrame,
  type ServerFrameOf,
  type ServerFrameType,
  serverFrameSchema,
} from "@chatroom/protocol";
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

export interface HelloOptions {
  session?: string;
  name?: string;
  /** A host app's JWT (`AUTH=jwt`). */
  token?: string;
  adminKey?: string;
  /** Sent as given, so tests can speak a protocol the server refuses. */
  protocol?: number;
}

export interface OpenOptions extends ConnectOptions {
  session?: string;
  name?: string;
  token?: string;
  adminKey?: string;
}

export interface JoinOptions extends OpenOptions {
  room?: string;
  since?: number;
}

type Predicate = (frame: ServerFrame, index: number) => boolean;

/**
 * The events of a page (`joined.messages`, `history.messages`, a store's range) as chats, for
 * tests of rooms where nobody edits, deletes or reacts: any other kind there fails the test.
 */
export function onlyChats(events: ReadonlyArray<PageEvent | RoomEvent | { type: string }>): ChatFrame[] {
  return events.map((event) => {
    if (event.type !== "chat") throw new Error(`expected only chats, got ${JSON.stringify(event)}`);
    return event as ChatFrame;
  });
}

const DEFAULT_WAIT_MS = 5_000;

/**
 * The typed protocol client of the server tests and e2e: the acceptance suite's `RawClient`
 * (socket, waiting, closing) with every frame checked against `serverFrameSchema`. A frame that
 * fails the schema lands in `invalid`, so tests can assert there are none.
 *
 * The layers: `hostile/support/raw-socket.ts` speaks bytes on a bare TCP socket;
 * `acceptance/raw-client.ts` speaks JSON and trusts no project code; this speaks protocol 2;
 * `resuming-client.ts` behaves like a real client (outbox, resume) on top of this.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly invalid: Array<{ raw: string; error: string }> = [];
  /** The `ready` of the last `hello`, once it arrived. */
  ready?: ReadyFrame;
  private readonly listeners = new Set<(frame: ServerFrame) => void>();

  private raw!: RawClient;

  private constructor() {}

  /** Opens a socket and resolves once the upgrade succeeded (says nothing: see `open` and `join`). */
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

  /** Connects and says hello; resolves once `ready` arrived. */
  static async open(wsUrl: string, options: OpenOptions = {}): Promise<TestClient & { ready: ReadyFrame }> {
    const { session, name, token, adminKey, ...connect } = options;
    const client = await TestClient.connect(wsUrl, connect);
    const ready = await client.hello({
      ...(session !== undefined ? { session } : {}),
      ...(name !== undefined ? { name } : {}),
      ...(token !== undefined ? { token } : {}),
      ...(adminKey !== undefined ? { adminKey } : {}),
    });
    return Object.assign(client, { ready });
  }

  /** Connects, says hello and joins one room (the lobby unless told); resolves once `joined` arrived. */
  static async join(wsUrl: string, options: JoinOptions = {}): Promise<TestClient & { ready: ReadyFrame; joined: JoinedFrame }> {
    const { room = DEFAULT_ROOM, since, ...open } = options;
    const client = await TestClient.open(wsUrl, open);
    const joined = await client.join(room, since !== undefined ? { since } : {});
    return Object.assign(client, { joined });
  }

  /** The session token of the last `ready`. */
  get session(): string | undefined {
    return this.ready?.session;
  }

  /** Sends `hello` and waits for `ready` (rejects on an error frame or a close first). */
  async hello(options: HelloOptions = {}): Promise<ReadyFrame> {
    const from = this.frames.length;
    const frame: Record<string, unknown> = { type: "hello", protocol: options.protocol ?? PROTOCOL_VERSION };
    if (options.session !== undefined) frame.session = options.session;
    if (options.name !== undefined) frame.name = options.name;
    if (options.token !== undefined) frame.token = options.token;
    if (options.adminKey !== undefined) frame.adminKey = options.adminKey;
    this.raw.send(frame);
    const answer = await this.waitFor(
      (candidate) => candidate.type === "ready" || (candidate.type === "error" && candidate.room === undefined),
      {
        from,
      },
    );
    if (answer.type !== "ready") throw new Error(`hello refused: ${JSON.stringify(answer)}`);
    this.ready = answer;
    return answer;
  }

  /** Sends `join` and waits for that room's `joined` (rejects on an error about that room first). */
  async join(room: string, options: { since?: number } = {}): Promise<JoinedFrame> {
    const from = this.frames.length;
    this.send({ type: "join", room, ...(options.since !== undefined ? { since: options.since } : {}) });
    const answer = await this.waitFor(
      (frame) => (frame.type === "joined" || frame.type === "error") && "room" in frame && frame.room === room,
      { from },
    );
    if (answer.type !== "joined") throw new Error(`join of ${room} refused: ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Sends `leave` and waits for that room's `left` (rejects on an error about that room first). */
  async leave(room: string): Promise<void> {
    const from = this.frames.length;
    this.send({ type: "leave", room });
    const answer = await this.waitFor(
      (frame) => (frame.type === "left" || frame.type === "error") && "room" in frame && frame.room === room,
      {
        from,
      },
    );
    if (answer.type !== "left") throw new Error(`leave of ${room} refused: ${JSON.stringify(answer)}`);
  }

  chat(room: string, text: string, clientMsgId: string): void {
    this.send({ type: "chat", room, text, clientMsgId });
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

  /** Every chat this connection saw (in `room`, or in every room), from joins, history pages and the live stream, as sent. */
  chatFrames(room?: string): Array<ServerFrameOf<"chat">> {
    const chats: Array<ServerFrameOf<"chat">> = [];
    for (const frame of this.frames) {
      if (room !== undefined && "room" in frame && frame.room !== room) continue;
      if (frame.type === "chat") chats.push(frame);
      else if (frame.type === "joined" || frame.type === "history")
        for (const event of frame.messages) if (event.type === "chat") chats.push(event);
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
