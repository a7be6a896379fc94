import { type ChatFrame, chatFrameSchema, userSchema } from "@chatroom/protocol";
import { Redis } from "ioredis";
import { z } from "zod";
import type {
  AppendRequest,
  AppendResult,
  Backend,
  PageResult,
  RangeQuery,
  RangeResult,
  RoomEvent,
  RoomEventListener,
  SessionRecord,
} from "./backend";
import { createMessageIds } from "./message-ids";
import { definePresenceCommands, RedisPresence } from "./redis-presence";
import { APPEND_LUA } from "./redis-scripts";

export interface RedisBackendOptions {
  nodeId: string;
  url: string;
  /** Approximate cap on each room's stream; the oldest entries are trimmed. */
  streamMaxLen?: number;
  /** How long a `(user id, clientMsgId)` is remembered; must exceed the client's retry horizon. */
  dedupeTtlSeconds?: number;
  /** Sessions expire after this long without being saved again. */
  sessionTtlSeconds?: number;
  /** Namespaces every key and channel, so several deployments (or tests) can share one Redis. */
  keyPrefix?: string;
  /** A node that has not heartbeated for this long is dead and its members leave. */
  nodeTtlMs?: number;
  now?: () => number;
  onError?: (error: unknown, context: string) => void;
}

export const REDIS_DEFAULTS = {
  streamMaxLen: 10_000,
  dedupeTtlSeconds: 24 * 60 * 60,
  sessionTtlSeconds: 30 * 24 * 60 * 60,
  keyPrefix: "chat",
  nodeTtlMs: 15_000,
} as const;

const roomEventSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("chat"), origin: z.string(), message: chatFrameSchema }),
  z.object({
    kind: z.literal("presence"),
    origin: z.string(),
    joined: z.array(userSchema),
    left: z.array(userSchema),
    renamed: z.array(z.object({ user: userSchema, previousName: z.string() })),
  }),
  z.object({ kind: z.literal("typing"), origin: z.string(), user: userSchema, active: z.boolean() }),
]);
const sessionSchema = z.object({ userId: z.string(), name: z.string() });

type StreamEntry = [id: string, fields: string[]];

interface AppendCommand {
  chatAppend(
    dedupeKey: string,
    seqKey: string,
    streamKey: string,
    head: string,
    tail: string,
    maxLen: number,
    ttl: number,
    channel: string,
    origin: string,
  ): Promise<[number, string]>;
}

/**
 * Several nodes share one Redis. Each room is a counter plus a Stream whose entry ids are the
 * seqs (`<seq>-0`), so history reads are id ranges. A send is one Lua script (dedupe, INCR,
 * XADD, PUBLISH), so seqs are dense and ordered across nodes and the fan-out can never be
 * lost between the append and a crash. Pub/sub runs on a dedicated connection; after every
 * (re)connect the subscriptions are restored and each room is re-announced its newest message,
 * so a room that missed messages while Redis was away sees the gap and fills it from the stream.
 */
export class RedisBackend implements Backend {
  readonly kind = "redis";
  readonly nodeId: string;
  readonly presence: RedisPresence;
  private readonly streamMaxLen: number;
  private readonly dedupeTtlSeconds: number;
  private readonly sessionTtlSeconds: number;
  private readonly prefix: string;
  private readonly now: () => number;
  private readonly nextMessageId: () => string;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly listeners = new Map<string, Set<RoomEventListener>>();
  private closed = false;

  private constructor(
    private readonly client: Redis & AppendCommand,
    private readonly subscriber: Redis,
    options: RedisBackendOptions,
  ) {
    this.nodeId = options.nodeId;
    this.streamMaxLen = options.streamMaxLen ?? REDIS_DEFAULTS.streamMaxLen;
    this.dedupeTtlSeconds = options.dedupeTtlSeconds ?? REDIS_DEFAULTS.dedupeTtlSeconds;
    this.sessionTtlSeconds = options.sessionTtlSeconds ?? REDIS_DEFAULTS.sessionTtlSeconds;
    this.prefix = options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix;
    this.now = options.now ?? Date.now;
    this.nextMessageId = createMessageIds(options.nodeId);
    this.onError = options.onError ?? (() => {});
    this.presence = new RedisPresence(
      definePresenceCommands(client),
      this.prefix,
      this.nodeId,
      options.nodeTtlMs ?? REDIS_DEFAULTS.nodeTtlMs,
      this.onError,
    );
    this.presence.start();
    this.client.on("ready", () => this.presence.reconnected());
    this.subscriber.on("message", (channel: string, payload: string) => this.dispatch(channel, payload));
    this.subscriber.on("ready", () => void this.resync());
  }

  /** Connects both connections and waits until Redis answers, or fails with why. */
  static async connect(options: RedisBackendOptions): Promise<RedisBackend> {
    const common = {
      lazyConnect: true,
      // A command while Redis is away fails at once: a send gets `server_error`, and the client
      // outbox retries it, instead of the ack hanging in a queue.
      enableOfflineQueue: false,
      autoResendUnfulfilledCommands: false,
      maxRetriesPerRequest: 0,
      retryStrategy: (times: number) => Math.min(50 * 2 ** Math.min(times, 6), 2_000),
    };
    const client = new Redis(options.url, { ...common, connectionName: `chat-${options.nodeId}` });
    // Subscriptions are restored by `resync`, so it knows when they are active again.
    const subscriber = new Redis(options.url, { ...common, autoResubscribe: false, connectionName: `chat-${options.nodeId}-sub` });
    const report = options.onError ?? (() => {});
    // ioredis reports every failed reconnect attempt; without a listener Node would crash.
    client.on("error", (error: unknown) => report(error, "redis connection"));
    subscriber.on("error", (error: unknown) => report(error, "redis subscriber connection"));
    client.defineCommand("chatAppend", { numberOfKeys: 3, lua: APPEND_LUA });
    try {
      await Promise.all([client.connect(), subscriber.connect()]);
    } catch (error) {
      client.disconnect();
      subscriber.disconnect();
      throw new Error(`cannot reach Redis at ${redactUrl(options.url)}: ${(error as Error).message}`, { cause: error });
    }
    return new RedisBackend(client as Redis & AppendCommand, subscriber, options);
  }

  private key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  private channel(room: string): string {
    return this.key("room", room, "events");
  }

  private streamKey(room: string): string {
    return this.key("room", room, "log");
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed) throw new Error("backend is closed");
    const draft: ChatFrame = {
      type: "chat",
      room: request.room,
      seq: 0,
      id: this.nextMessageId(),
      from: { id: request.from.id, name: request.from.name },
      text: request.text,
      ts: this.now(),
      clientMsgId: request.clientMsgId,
    };
    // `type` and `room` precede `seq` and cannot contain a quote, so this marker is the seq field.
    const json = JSON.stringify(draft);
    const marker = '"seq":0';
    const at = json.indexOf(marker);
    const head = json.slice(0, at + marker.length - 1);
    const tail = json.slice(at + marker.length);
    const [duplicate, stored] = await this.client.chatAppend(
      this.key("dedupe", request.from.id, request.clientMsgId),
      this.key("room", request.room, "seq"),
      this.streamKey(request.room),
      head,
      tail,
      this.streamMaxLen,
      this.dedupeTtlSeconds,
      this.channel(request.room),
      this.nodeId,
    );
    const message = chatFrameSchema.parse(JSON.parse(stored));
    if (duplicate === 1) {
      // The first attempt may have been stored while its reply was lost; this node ignores its
      // own pub/sub echoes, so hand the original to the room again (it drops what it already has).
      this.emit(message.room, { kind: "chat", origin: "store", message });
      return { message, duplicate: true };
    }
    return { message, duplicate: false };
  }

  async latestSeq(room: string): Promise<number> {
    const value = await this.client.get(this.key("room", room, "seq"));
    return value === null ? 0 : Number(value);
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const [newest, oldest] = await Promise.all([
      this.client.xrevrange(this.streamKey(room), `${query.upTo}-0`, `${after + 1}-0`, "COUNT", query.limit) as Promise<StreamEntry[]>,
      this.oldestSeq(room),
    ]);
    const messages = newest.reverse().map(toFrame);
    const first = messages[0];
    // Complete unless `limit` cut off older messages that are still in the stream.
    const complete = first === undefined || first.seq === after + 1 || first.seq <= oldest;
    return { messages, complete };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    if (before <= 1 || limit <= 0) return { messages: [], hasOlder: false };
    const [newest, oldest] = await Promise.all([
      this.client.xrevrange(this.streamKey(room), `${before - 1}-0`, "-", "COUNT", limit) as Promise<StreamEntry[]>,
      this.oldestSeq(room),
    ]);
    const messages = newest.reverse().map(toFrame);
    const first = messages[0];
    return { messages, hasOlder: first !== undefined && first.seq > oldest };
  }

  private async oldestSeq(room: string): Promise<number> {
    const entries = (await this.client.xrange(this.streamKey(room), "-", "+", "COUNT", 1)) as StreamEntry[];
    const first = entries[0];
    return first === undefined ? 0 : seqOf(first[0]);
  }

  async getSession(token: string): Promise<SessionRecord | undefined> {
    const value = await this.client.get(this.key("session", token));
    if (value === null) return undefined;
    const parsed = sessionSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  }

  async saveSession(token: string, record: SessionRecord): Promise<void> {
    const value = JSON.stringify({ userId: record.userId, name: record.name });
    await this.client.set(this.key("session", token), value, "EX", this.sessionTtlSeconds);
  }

  async subscribe(room: string, listener: RoomEventListener): Promise<() => Promise<void>> {
    let set = this.listeners.get(room);
    if (!set) {
      set = new Set();
      this.listeners.set(room, set);
    }
    set.add(listener);
    try {
      if (set.size === 1) await this.subscriber.subscribe(this.channel(room));
    } catch (error) {
      this.removeListener(room, listener);
      throw error;
    }
    return async () => {
      if (this.removeListener(room, listener) && !this.closed) await this.subscriber.unsubscribe(this.channel(room));
    };
  }

  /** True when that was the room's last listener. */
  private removeListener(room: string, listener: RoomEventListener): boolean {
    const set = this.listeners.get(room);
    if (!set?.delete(listener)) return false;
    if (set.size > 0) return false;
    this.listeners.delete(room);
    return true;
  }

  /**
   * Chat events are published by the append script itself, atomically with the append, and
   * presence by the presence scripts; what is left to publish here is the ephemeral (typing).
   */
  async publish(room: string, event: RoomEvent): Promise<void> {
    if (event.kind !== "typing") return;
    await this.client.publish(this.channel(room), JSON.stringify(event));
  }

  async isReady(): Promise<boolean> {
    if (this.closed || this.client.status !== "ready" || this.subscriber.status !== "ready") return false;
    try {
      return (await withTimeout(this.client.ping(), 1_000)) === "PONG";
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.listeners.clear();
    await this.presence.stop().catch((error: unknown) => this.onError(error, "presence cleanup failed"));
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }

  private dispatch(channel: string, payload: string): void {
    const room = this.roomOf(channel);
    if (room === undefined || !this.listeners.has(room)) return;
    let event: RoomEvent;
    try {
      event = roomEventSchema.parse(JSON.parse(payload));
    } catch (error) {
      this.onError(error, "unreadable pub/sub message");
      return;
    }
    this.emit(room, event);
  }

  private emit(room: string, event: RoomEvent): void {
    for (const listener of this.listeners.get(room) ?? []) {
      try {
        listener(event);
      } catch (error) {
        this.onError(error, "room event listener failed");
      }
    }
  }

  private roomOf(channel: string): string | undefined {
    const head = this.key("room", "");
    const tail = ":events";
    if (!channel.startsWith(head) || !channel.endsWith(tail)) return undefined;
    return channel.slice(head.length, channel.length - tail.length);
  }

  /**
   * After a (re)connect: subscribe again, wait until Redis has confirmed it (a PING answered
   * after the SUBSCRIBE), then hand each room the newest stored message. A room that missed
   * anything while disconnected now sees a seq beyond its own and fills the hole from the stream;
   * a room that missed nothing drops it as already delivered.
   */
  private async resync(): Promise<void> {
    if (this.closed || this.listeners.size === 0) return;
    try {
      await this.subscriber.subscribe(...[...this.listeners.keys()].map((room) => this.channel(room)));
      await this.subscriber.ping();
      for (const room of this.listeners.keys()) {
        const entries = (await this.client.xrevrange(this.streamKey(room), "+", "-", "COUNT", 1)) as StreamEntry[];
        const newest = entries[0];
        if (newest) this.emit(room, { kind: "chat", origin: "store", message: toFrame(newest) });
      }
    } catch (error) {
      // The next 'ready' (after the next reconnect) tries again.
      this.onError(error, "resubscribe after reconnect failed");
    }
  }
}

function toFrame(entry: StreamEntry): ChatFrame {
  const [, fields] = entry;
  const index = fields.indexOf("m");
  return chatFrameSchema.parse(JSON.parse(fields[index + 1] ?? "null"));
}

function seqOf(id: string): number {
  return Number(id.slice(0, id.indexOf("-")));
}

async function quit(connection: Redis): Promise<void> {
  try {
    if (connection.status === "ready") await withTimeout(connection.quit(), 1_000);
  } catch {
    // Already gone; disconnect below stops any reconnect loop.
  }
  connection.disconnect();
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(unparseable REDIS_URL)";
  }
}
