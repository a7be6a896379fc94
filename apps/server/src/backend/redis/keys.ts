/** Every Redis key and channel name, under one prefix so deployments (or tests) can share a Redis. */
export class RedisKeys {
  constructor(readonly prefix: string) {}

  key(...parts: string[]): string {
    return [this.prefix, ...parts].join(":");
  }

  /** The room's pub/sub channel: stored events, presence changes and typing. */
  channel(room: string): string {
    return this.key("room", room, "events");
  }

  /** The room's seq counter: its latest seq. */
  seq(room: string): string {
    return this.key("room", room, "seq");
  }

  /**
   * The keys of a room's history (see event-scripts.ts), in the order the scripts take them:
   * `eventlog` (hash seq -> the event's JSON, without its text), `texts` (hash seq -> a chat's
   * current text or an edit's text, as a JSON string literal), `chats` (hash seq -> a chat's
   * state), `chatseqs` (sorted set of the chats' seqs), `floor` (the oldest seq kept).
   */
  history(room: string): HistoryKeys {
    return {
      eventLog: this.key("room", room, "eventlog"),
      texts: this.key("room", room, "texts"),
      chats: this.key("room", room, "chats"),
      chatSeqs: this.key("room", room, "chatseqs"),
      floor: this.key("room", room, "floor"),
      reactorsPrefix: `${this.key("room", room, "reactors")}:`,
      mentions: this.key("room", room, "mentions"),
    };
  }

  /**
   * A room's access state (access-layout.ts): one hash per kind (`access:<kind>`, key -> JSON),
   * `access:version`, bumped by every step that changes any of them (what lets a node decide on a
   * cached snapshot and have the script prove it current), and `lastchat` (user id -> ts of their
   * last chat while slow mode is on; outside the version, so chats do not invalidate snapshots).
   */
  access(room: string): AccessKeys {
    return {
      kindPrefix: `${this.key("room", room, "access")}:`,
      version: this.key("room", room, "access-version"),
      lastChat: this.key("room", room, "lastchat"),
      presentUsers: this.key("room", room, "users"),
    };
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

  /**
   * A room's memberships the other way round: a hash of user id -> notification level, kept in
   * step with `memberships` by the same scripts, so its HLEN is the room's member count.
   */
  roomMembers(room: string): string {
    return this.key("room", room, "memberships");
  }

  /** The room a channel belongs to, or undefined for a channel that is not a room's. */
  roomOf(channel: string): string | undefined {
    const head = this.key("room", "");
    const tail = ":events";
    if (!channel.startsWith(head) || !channel.endsWith(tail)) return undefined;
    return channel.slice(head.length, channel.length - tail.length);
  }
}

export interface HistoryKeys {
  eventLog: string;
  texts: string;
  chats: string;
  chatSeqs: string;
  floor: string;
  /** Followed by a chat's seq: the hash of who has which emoji on (`emoji\nuser id` -> 1). */
  reactorsPrefix: string;
  /** seq -> a chat's current mention fields or an edit's own, as a JSON fragment (event-scripts.ts). */
  mentions: string;
}

export interface AccessKeys {
  /** Followed by an access kind: that kind's hash. */
  kindPrefix: string;
  version: string;
  lastChat: string;
  /** Cluster presence's hash of who is in the room now (`create` refuses a room with anyone in it). */
  presentUsers: string;
}
