import { type NotifyLevel, notifyLevelSchema } from "@chatroom/protocol";
import type { Redis } from "ioredis";
import { BackendClosedError } from "../backend-closed-error";
import {
  byRoom,
  type JoinOptions,
  type JoinOutcome,
  type Membership,
  type MembershipStore,
  NEW_MEMBERSHIP_NOTIFY,
} from "../membership-store";
import type { RedisKeys } from "./keys";
import { MEMBERSHIP_JOIN_LUA, MEMBERSHIP_LEAVE_LUA, MEMBERSHIP_LIST_LUA, MEMBERSHIP_MARK_READ_LUA, MEMBERSHIP_NOTIFY_LUA } from "./scripts";

interface MembershipCommands {
  membershipJoin(
    memberships: string,
    seqKey: string,
    roomMembers: string,
    room: string,
    maxRooms: number,
    userId: string,
    level: string,
  ): Promise<JoinOutcome>;
  membershipLeave(memberships: string, roomMembers: string, room: string, userId: string): Promise<number>;
  membershipNotify(memberships: string, roomMembers: string, room: string, userId: string, level: string): Promise<number>;
  membershipMarkRead(memberships: string, seqKey: string, room: string, seq: number): Promise<number | null>;
  membershipList(
    memberships: string,
    prefix: string,
    userId: string,
    room: string,
    upTo: string,
    level: string,
  ): Promise<Array<string | number>>;
}

export type MembershipClient = Redis & MembershipCommands;

/** Registers the membership scripts on a connection. */
export function defineMembershipCommands(client: Redis): MembershipClient {
  client.defineCommand("membershipJoin", { numberOfKeys: 3, lua: MEMBERSHIP_JOIN_LUA });
  client.defineCommand("membershipLeave", { numberOfKeys: 2, lua: MEMBERSHIP_LEAVE_LUA });
  client.defineCommand("membershipNotify", { numberOfKeys: 2, lua: MEMBERSHIP_NOTIFY_LUA });
  client.defineCommand("membershipMarkRead", { numberOfKeys: 2, lua: MEMBERSHIP_MARK_READ_LUA });
  client.defineCommand("membershipList", { numberOfKeys: 1, lua: MEMBERSHIP_LIST_LUA });
  return client as MembershipClient;
}

/** Fields per membership in MEMBERSHIP_LIST_LUA's answer. */
const LISTED_FIELDS = 6;

/**
 * Memberships as one hash per user (room -> read marker) and one per room (user id -> level; its
 * size is the member count), without a TTL: they outlive any one connection, like the user's
 * session. Every call is one command or script, so the `maxRooms` check is atomic across nodes
 * and `list` is one round trip however many rooms the user holds. Unread and unread mentions are
 * counted from each room's chat states after the marker (in the script). Interim: [6/6] replaces
 * Redis as a store, and this goes with it. Memberships made before [5/6] have no entry in the
 * room's hash: they read as the default level and are not counted for `@room` until rejoined.
 */
export class RedisMembershipStore implements MembershipStore {
  constructor(private readonly options: { client: MembershipClient; keys: RedisKeys; isOpen: () => boolean }) {}

  async join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome> {
    const { client, keys } = this.open();
    return client.membershipJoin(
      keys.memberships(userId),
      keys.seq(room),
      keys.roomMembers(room),
      room,
      options.maxRooms,
      userId,
      NEW_MEMBERSHIP_NOTIFY,
    );
  }

  async leave(userId: string, room: string): Promise<boolean> {
    const { client, keys } = this.open();
    return (await client.membershipLeave(keys.memberships(userId), keys.roomMembers(room), room, userId)) > 0;
  }

  async readSeq(userId: string, room: string): Promise<number | undefined> {
    const { client, keys } = this.open();
    const value = await client.hget(keys.memberships(userId), room);
    return value === null ? undefined : Number(value);
  }

  async list(userId: string): Promise<Membership[]> {
    return (await this.listed(userId, "", "")).sort(byRoom);
  }

  async membership(userId: string, room: string, upTo?: number): Promise<Membership | undefined> {
    const [found] = await this.listed(userId, room, upTo === undefined ? "" : String(upTo));
    return found;
  }

  async setNotify(userId: string, room: string, level: NotifyLevel): Promise<boolean> {
    const { client, keys } = this.open();
    return (await client.membershipNotify(keys.memberships(userId), keys.roomMembers(room), room, userId, level)) === 1;
  }

  async memberCount(room: string): Promise<number> {
    const { client, keys } = this.open();
    return client.hlen(keys.roomMembers(room));
  }

  async markRead(userId: string, room: string, seq: number): Promise<number | undefined> {
    const { client, keys } = this.open();
    const stored = await client.membershipMarkRead(keys.memberships(userId), keys.seq(room), room, seq);
    return stored === null ? undefined : stored;
  }

  private async listed(userId: string, room: string, upTo: string): Promise<Membership[]> {
    const { client, keys } = this.open();
    const flat = await client.membershipList(keys.memberships(userId), keys.prefix, userId, room, upTo, NEW_MEMBERSHIP_NOTIFY);
    const memberships: Membership[] = [];
    for (let i = 0; i + LISTED_FIELDS - 1 < flat.length; i += LISTED_FIELDS) {
      const level = notifyLevelSchema.safeParse(String(flat[i + 5]));
      memberships.push({
        room: String(flat[i]),
        latestSeq: Number(flat[i + 1]),
        readSeq: Number(flat[i + 2]),
        unread: Number(flat[i + 3]),
        unreadMentions: Number(flat[i + 4]),
        notify: level.success ? level.data : NEW_MEMBERSHIP_NOTIFY,
      });
    }
    return memberships;
  }

  private open(): { client: MembershipClient; keys: RedisKeys } {
    if (!this.options.isOpen()) throw new BackendClosedError();
    return this.options;
  }
}
