/**
 * The Redis key and channel names the traffic uses, under one prefix so deployments (or tests) can
 * share a Redis. Presence's keys are built inside its scripts from the same prefix (presence-scripts.ts).
 */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** The room's pub/sub channel: committed events, presence changes, typing, staff frames, notify levels. */
  channel(room: string): string {
    return this.key("room", room, "events");
  }

  /** The room a channel belongs to, or undefined for a channel that is not a room's. */
  roomOf(channel: string): string | undefined {
    const head = this.key("room", "");
    const tail = ":events";
    if (!channel.startsWith(head) || !channel.endsWith(tail)) return undefined;
    return channel.slice(head.length, channel.length - tail.length);
  }
}
