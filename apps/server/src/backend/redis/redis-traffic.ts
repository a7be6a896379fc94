import type { Redis } from "ioredis";
import type { StoredEvent } from "../message-store";
import type { PgTraffic } from "../postgres/pg-backend";
import type { BusEvent } from "../room-bus";
import { definePresenceCommands, RedisPresence } from "./cluster-presence";
import { connectPair, quit } from "./connection";
import { RedisKeys } from "./keys";
import { RedisRoomBus } from "./room-bus";

export interface RedisTrafficOptions {
  nodeId: string;
  /** REDIS_URL. Never logged as it is: it may hold a password (connection.ts redacts it). */
  url: string;
  /** Namespaces every key and channel, so several deployments (or tests) can share one Redis. */
  keyPrefix?: string;
  /** A node that has not heartbeated for this long is dead and its members leave. */
  nodeTtlMs?: number;
  onError?: (error: unknown, context: string) => void;
}

export const REDIS_DEFAULTS = {
  keyPrefix: "chat",
  nodeTtlMs: 15_000,
} as const;

/**
 * Redis as traffic only ([6/6]): the room bus between nodes, presence and typing. Nothing in it is
 * a record: PostgreSQL holds every event, so a message lost here (Redis restarting, a node dying
 * between its COMMIT and its PUBLISH) is a hole the other nodes fill from PostgreSQL, found by the
 * next event's seq or by the rooms' periodic latest-seq check.
 */
export class RedisTraffic implements PgTraffic {
  readonly bus: RedisRoomBus;
  readonly presence: RedisPresence;
  private readonly keys: RedisKeys;
  private readonly onError: (error: unknown, context: string) => void;
  private closed = false;
  /**
   * Failed publishes since the last that worked, told once per outage: while Redis is away every
   * stored event fails to publish, and a warning with a stack for each would flood the log at the
   * rate of the chat.
   */
  private failedPublishes = 0;

  private constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    private readonly options: RedisTrafficOptions,
  ) {
    this.onError = options.onError ?? (() => {});
    this.keys = new RedisKeys(options.keyPrefix ?? REDIS_DEFAULTS.keyPrefix);
    this.bus = new RedisRoomBus({ client, subscriber, keys: this.keys, nodeId: options.nodeId, onError: this.onError });
    this.presence = new RedisPresence({
      client: definePresenceCommands(client),
      prefix: this.keys.prefix,
      nodeId: options.nodeId,
      ttlMs: options.nodeTtlMs ?? REDIS_DEFAULTS.nodeTtlMs,
      onError: this.onError,
    });
    this.presence.start();
    client.on("ready", () => this.presence.reconnected());
  }

  static async connect(options: RedisTrafficOptions): Promise<RedisTraffic> {
    const { client, subscriber } = await connectPair(options);
    return new RedisTraffic(client, subscriber, options);
  }

  /** After COMMIT: each event on its room's channel, in order. A failed publish is a hole the others fill. */
  publish(events: readonly StoredEvent[]): void {
    if (this.closed) return;
    for (const event of events) {
      const message: BusEvent = { kind: "event", origin: this.options.nodeId, event };
      this.client.publish(this.keys.channel(event.room), JSON.stringify(message)).then(
        () => this.publishWorked(),
        (error: unknown) => this.publishFailed(error),
      );
    }
  }

  private publishFailed(error: unknown): void {
    if (this.failedPublishes++ === 0)
      this.onError(error, "could not publish stored events; other nodes read them from PostgreSQL (told again once publishing works)");
  }

  private publishWorked(): void {
    if (this.failedPublishes === 0) return;
    const failed = this.failedPublishes;
    this.failedPublishes = 0;
    this.onError(
      new Error(`${failed} stored events were not published`),
      "publishing to Redis works again; other nodes read those events from PostgreSQL",
    );
  }

  async isReady(): Promise<boolean> {
    return !this.closed && this.client.status === "ready" && this.subscriber.status === "ready";
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.bus.close();
    await this.presence.stop().catch((error: unknown) => this.onError(error, "presence cleanup failed"));
    await Promise.all([quit(this.client), quit(this.subscriber)]);
  }
}
