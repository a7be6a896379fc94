import type { Redis } from "ioredis";
import { AccessOperations } from "../access-store";
import type { Backend } from "../backend";
import { ScanMessageSearch } from "../search/scan-message-search";
import { SETTING_NAMES } from "../setting-store";
import { defineAccessCommands, RedisAccessState } from "./access-state";
import { definePresenceCommands, RedisPresence } from "./cluster-presence";
import { connectPair, quit, withTimeout } from "./connection";
import { RedisKeys } from "./keys";
import { defineMembershipCommands, RedisMembershipStore } from "./membership-store";
import { defineEventCommands, RedisMessageStore } from "./message-store";
import { RedisRoomBus } from "./room-bus";
import { RedisSessionStore } from "./session-store";
import { RedisSetting } from "./setting-store";

export interface RedisBackendOptions {
  nodeId: string;
  url: string;
  /** How many events each room keeps; the oldest are trimmed. */
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

/**
 * Several nodes share one Redis: history, sessions and memberships on one connection, the room
 * bus on a dedicated subscriber connection, and cluster presence with its heartbeat.
 */
export class RedisBackend implements Backend {
  readonly kind = "redis";
  readonly nodeId: string;
  readonly messages: RedisMessageStore;
  readonly search: ScanMessageSearch;
  readonly sessions: RedisSessionStore;
  readonly memberships: RedisMembershipStore;
  readonly access: AccessOperations;
  readonly bus: RedisRoomBus;
  readonly presence: RedisPresence;
  readonly adminKey: RedisSetting;
  readonly addressSecret: RedisSetting;
  private readonly onError: (error: unknown, context: string) => void;
  private closed = false;

  private constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    options: RedisBackendOptions,
  ) {
    this.nodeId = options.nodeId;
    this.onError = options.onError ?? (() => {});
    const keys = new RedisKeys(options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix);
    const common = {
      keys,
      nodeId: this.nodeId,
      dedupeTtlSeconds: options.dedupeTtlSeconds ?? REDIS_DEFAULTS.dedupeTtlSeconds,
      now: options.now ?? Date.now,
      isOpen: () => !this.closed,
    };
    const access = new RedisAccessState({ ...common, client: defineAccessCommands(client) });
    this.access = new AccessOperations(access);
    this.messages = new RedisMessageStore({
      ...common,
      client: defineEventCommands(client),
      streamMaxLen: options.streamMaxLen ?? REDIS_DEFAULTS.streamMaxLen,
      access,
    });
    // Until [6/6] brings a store that can index: a scan of each readable room's retained history.
    this.search = new ScanMessageSearch(this.messages);
    this.sessions = new RedisSessionStore({
      client,
      keys,
      ttlSeconds: options.sessionTtlSeconds ?? REDIS_DEFAULTS.sessionTtlSeconds,
      isOpen: () => !this.closed,
    });
    this.adminKey = new RedisSetting(client, keys, SETTING_NAMES.adminKeyHash);
    this.addressSecret = new RedisSetting(client, keys, SETTING_NAMES.addressSecret);
    this.memberships = new RedisMembershipStore({ client: defineMembershipCommands(client), keys, isOpen: () => !this.closed });
    this.bus = new RedisRoomBus({ client, subscriber, keys, nodeId: this.nodeId, onError: this.onError });
    this.presence = new RedisPresence({
      client: definePresenceCommands(client),
      prefix: keys.prefix,
      nodeId: this.nodeId,
      ttlMs: options.nodeTtlMs ?? REDIS_DEFAULTS.nodeTtlMs,
      onError: this.onError,
    });
    this.presence.start();
    this.client.on("ready", () => this.presence.reconnected());
  }

  /** Connects both connections and waits until Redis answers, or fails with why. */
  static async connect(options: RedisBackendOptions): Promise<RedisBackend> {
    const { client, subscriber } = await connectPair(options);
    return new RedisBackend(client, subscriber, options);
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
    this.bus.close();
    await this.presence.stop().catch((error: unknown) => this.onError(error, "presence cleanup failed"));
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }
}
