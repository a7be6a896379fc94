import type { User } from "@chatroom/protocol";
import type { Redis } from "ioredis";
import { NAME_KEY_SEPARATOR, nameKeys } from "../../security/name-key";
import type { ClusterPresence, NameCandidate, RoomCount } from "../cluster-presence";
import { PRESENCE_HEARTBEAT_LUA, PRESENCE_JOIN_LUA, PRESENCE_LEAVE_LUA, PRESENCE_REAP_LUA, PRESENCE_RENAME_LUA } from "./presence-scripts";

interface PresenceCommands {
  presenceJoin(...args: string[]): Promise<string | null>;
  presenceLeave(...args: string[]): Promise<number>;
  presenceRename(...args: string[]): Promise<number>;
  presenceHeartbeat(...args: string[]): Promise<Array<number | string>>;
  presenceReap(...args: string[]): Promise<number>;
}

export type PresenceClient = Redis & PresenceCommands;

/** Registers the presence scripts on a connection. */
export function definePresenceCommands(client: Redis): PresenceClient {
  client.defineCommand("presenceJoin", { numberOfKeys: 0, lua: PRESENCE_JOIN_LUA });
  client.defineCommand("presenceLeave", { numberOfKeys: 0, lua: PRESENCE_LEAVE_LUA });
  client.defineCommand("presenceRename", { numberOfKeys: 0, lua: PRESENCE_RENAME_LUA });
  client.defineCommand("presenceHeartbeat", { numberOfKeys: 0, lua: PRESENCE_HEARTBEAT_LUA });
  client.defineCommand("presenceReap", { numberOfKeys: 0, lua: PRESENCE_REAP_LUA });
  return client as PresenceClient;
}

/**
 * Cluster-wide presence in Redis. Every node heartbeats every `ttlMs / 3`; a node silent for
 * `ttlMs` is reaped by whichever node notices first, in one script, and its members who are on
 * no other node leave with a `presence` event. A node that finds itself reaped (a long pause or
 * partition) registers its members again.
 */
export class RedisPresence implements ClusterPresence {
  /** room -> users this node has registered, so they can be registered again after a reap. */
  private readonly local = new Map<string, Map<string, NameCandidate[]>>();
  private timer: NodeJS.Timeout | undefined;
  private connectedAt = Date.now();

  private readonly client: PresenceClient;
  private readonly prefix: string;
  private readonly nodeId: string;
  private readonly ttlMs: number;
  private readonly onError: (error: unknown, context: string) => void;

  constructor(options: {
    client: PresenceClient;
    prefix: string;
    nodeId: string;
    /** A node that has not heartbeated for this long is dead and its members leave. */
    ttlMs: number;
    onError: (error: unknown, context: string) => void;
  }) {
    this.client = options.client;
    this.prefix = options.prefix;
    this.nodeId = options.nodeId;
    this.ttlMs = options.ttlMs;
    this.onError = options.onError;
  }

  start(): void {
    void this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), Math.max(100, Math.floor(this.ttlMs / 3)));
    this.timer.unref();
  }

  /**
   * Called on every (re)connect. While Redis was unreachable no node could heartbeat, so every
   * other node looks dead for a moment: reaping waits one TTL, giving them time to check in.
   */
  reconnected(): void {
    this.connectedAt = Date.now();
    void this.heartbeat();
  }

  /** Stops the heartbeat and removes this node's members, so other nodes see them leave now. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.local.clear();
    if (this.client.status !== "ready") return;
    await this.client.presenceReap(this.prefix, this.nodeId, "now", this.nodeId);
  }

  async join(room: string, userId: string, candidates: NameCandidate[]): Promise<string | undefined> {
    const args = candidates.flatMap((candidate) => [candidate.name, candidate.folded]);
    const name = await this.client.presenceJoin(this.prefix, room, this.nodeId, userId, ...args);
    if (name === null) return undefined;
    let users = this.local.get(room);
    if (!users) {
      users = new Map();
      this.local.set(room, users);
    }
    users.set(userId, [
      { name, folded: candidates.find((candidate) => candidate.name === name)?.folded ?? nameKeys(name).join(NAME_KEY_SEPARATOR) },
    ]);
    return name;
  }

  async leave(room: string, userId: string): Promise<boolean> {
    const users = this.local.get(room);
    users?.delete(userId);
    if (users?.size === 0) this.local.delete(room);
    return (await this.client.presenceLeave(this.prefix, room, this.nodeId, userId)) > 0;
  }

  async rename(room: string, userId: string, name: NameCandidate): Promise<boolean> {
    const renamed = (await this.client.presenceRename(this.prefix, room, this.nodeId, userId, name.name, name.folded)) === 1;
    if (renamed) this.local.get(room)?.set(userId, [name]);
    return renamed;
  }

  async members(room: string): Promise<User[]> {
    const users = await this.client.hgetall(`${this.prefix}:room:${room}:users`);
    return Object.entries(users).map(([id, raw]) => ({ id, name: (JSON.parse(raw) as { n: string }).n }));
  }

  async rooms(limit: number): Promise<RoomCount[]> {
    const flat = await this.client.zrevrange(`${this.prefix}:rooms`, 0, limit - 1, "WITHSCORES");
    const rooms: RoomCount[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) rooms.push({ name: flat[i] as string, memberCount: Number(flat[i + 1]) });
    // Equal counts come back in reverse name order; the single-node listing sorts them by name.
    return rooms.sort((a, b) => b.memberCount - a.memberCount || a.name.localeCompare(b.name));
  }

  private async heartbeat(): Promise<void> {
    if (this.client.status !== "ready") return;
    try {
      const [added, ...dead] = await this.client.presenceHeartbeat(this.prefix, this.nodeId, String(this.ttlMs));
      if (added === 1) await this.registerAgain();
      if (Date.now() - this.connectedAt < this.ttlMs) return;
      for (const node of dead) {
        // Not this node's id as origin: this node's rooms must apply the departures too.
        if (node !== this.nodeId) await this.client.presenceReap(this.prefix, String(node), String(this.ttlMs), "reaper");
      }
    } catch (error) {
      this.onError(error, "presence heartbeat failed");
    }
  }

  /** After being reaped (or after Redis lost its data), this node's members are registered again. */
  private async registerAgain(): Promise<void> {
    for (const [room, users] of this.local) {
      for (const [userId, candidates] of users) await this.join(room, userId, candidates);
    }
  }
}
