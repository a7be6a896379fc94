import type { Redis } from "ioredis";
import { BackendClosedError } from "../backend-closed-error";
import { byRoom, type JoinOptions, type JoinOutcome, type Membership, type MembershipStore } from "../membership-store";
import type { RedisKeys } from "./keys";
import { MEMBERSHIP_JOIN_LUA, MEMBERSHIP_LIST_LUA, MEMBERSHIP_MARK_READ_LUA } from "./scripts";

interface MembershipCommands {
  membershipJoin(memberships: string, seqKey: string, room: string, maxRooms: number): Promise<JoinOutcome>;
  membershipMarkRead(memberships: string, seqKey: string, room: string, seq: number): Promise<number | null>;
  membershipList(memberships: string, prefix: string, userId: string): Promise<Array<string | number>>;
}

export type MembershipClient = Redis & MembershipCommands;

/** Registers the membership scripts on a connection. */
export function defineMembershipCommands(client: Redis): MembershipClient {
  client.defineCommand("membershipJoin", { numberOfKeys: 2, lua: MEMBERSHIP_JOIN_LUA });
  client.defineCommand("membershipMarkRead", { numberOfKeys: 2, lua: MEMBERSHIP_MARK_READ_LUA });
  client.defineCommand("membershipList", { numberOfKeys: 1, lua: MEMBERSHIP_LIST_LUA });
  return client as MembershipClient;
}

/**
 * Memberships as one hash per user (room -> read marker), without a TTL: they outlive any one
 * connection, like the user's session. Every call is one command or script, so the `maxRooms`
 * check is atomic across nodes and `list` is one round trip however many rooms the user holds.
 * Unread is counted from each room's chat states after the marker (in the script). Interim:
 * [6/6] replaces Redis as a store, and this goes with it.
 */
export class RedisMembershipStore implements MembershipStore {
  constructor(private readonly options: { client: MembershipClient; keys: RedisKeys; isOpen: () => boolean }) {}

  async join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome> {
    const { client, keys } = this.open();
    return client.membershipJoin(keys.memberships(userId), keys.seq(room), room, options.maxRooms);
  }

  async leave(userId: string, room: string): Promise<boolean> {
    const { client, keys } = this.open();
    return (await client.hdel(keys.memberships(userId), room)) > 0;
  }

  async readSeq(userId: string, room: string): Promise<number | undefined> {
    const { client, keys } = this.open();
    const value = await client.hget(keys.memberships(userId), room);
    return value === null ? undefined : Number(value);
  }

  async list(userId: string): Promise<Membership[]> {
    const { client, keys } = this.open();
    const flat = await client.membershipList(keys.memberships(userId), keys.prefix, userId);
    const memberships: Membership[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      memberships.push({
        room: String(flat[i]),
        latestSeq: Number(flat[i + 1]),
        readSeq: Number(flat[i + 2]),
        unread: Number(flat[i + 3]),
      });
    }
    return memberships.sort(byRoom);
  }

  async markRead(userId: string, room: string, seq: number): Promise<number | undefined> {
    const { client, keys } = this.open();
    const stored = await client.membershipMarkRead(keys.memberships(userId), keys.seq(room), room, seq);
    return stored === null ? undefined : stored;
  }

  private open(): { client: MembershipClient; keys: RedisKeys } {
    if (!this.options.isOpen()) throw new BackendClosedError();
    return this.options;
  }
}
