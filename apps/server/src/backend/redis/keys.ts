/** Every Redis key and channel name, under one prefix so deployments (or tests) can share a Redis. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** The room's pub/sub channel: stored chats, presence changes and typing. */
  channel(room: string): string {
    return this.key("room", room, "events");
  }

  /** The room's Stream, whose entry ids are the seqs (`<seq>-0`). */
  stream(room: string): string {
    return this.key("room", room, "log");
  }

  seq(room: string): string {
    return this.key("room", room, "seq");
  }

  dedupe(userId: string, clientMsgId: string): string {
    return this.key("dedupe", userId, clientMsgId);
  }

  session(token: string): string {
    return this.key("session", token);
  }

  /** The user's memberships: a hash of room -> read marker. */
  memberships(userId: string): string {
    return this.key("user", userId, "rooms");
  }

  /** The room a channel belongs to, or undefined for a channel that is not a room's. */
  roomOf(channel: string): string | undefined {
    const head = this.key("room", "");
    const tail = ":events";
    if (!channel.startsWith(head) || !channel.endsWith(tail)) return undefined;
    return channel.slice(head.length, channel.length - tail.length);
  }
}
