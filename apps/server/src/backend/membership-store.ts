import { DEFAULT_NOTIFY_LEVEL, type NotifyLevel, notifyLevelSchema } from "@chatroom/protocol";
import { z } from "zod";

/**
 * One room a user has joined and not left, as `ready` reports it in protocol 2. `unread` is the
 * number of chat messages from other users with `seq > readSeq` that are not deleted;
 * `unreadMentions` is how many of those mention the user now (by name or `@room`: chat-state.ts
 * `mentionsUser`); `notify` is the level the user set (a new membership starts at the default).
 */
export const membershipSchema = z.object({
  room: z.string(),
  latestSeq: z.number().int().nonnegative(),
  readSeq: z.number().int().nonnegative(),
  unread: z.number().int().nonnegative(),
  unreadMentions: z.number().int().nonnegative(),
  notify: notifyLevelSchema,
});

/** The level of a membership nobody has set one for. */
export const NEW_MEMBERSHIP_NOTIFY: NotifyLevel = DEFAULT_NOTIFY_LEVEL;

export type Membership = z.infer<typeof membershipSchema>;

/** `already`: the user was a member (nothing changed); `too_many`: the user holds `maxRooms` already. */
export type JoinOutcome = "joined" | "already" | "too_many";

export interface JoinOptions {
  /** How many memberships the user may hold; checked atomically with the insert. */
  maxRooms: number;
}

/**
 * The rooms each user has joined, with a read marker per room. Kept across connections and
 * restarts (on a persistent backend), independent of who is connected right now.
 *
 * - A new membership starts read up to the room's `latestSeq` at join time, so joining a busy
 *   room does not show its whole history as unread.
 * - `leave` forgets the marker: joining again starts at the room's `latestSeq` then.
 * - Unread counts chats only: edits, deletions and reactions take seqs but are not news, and a
 *   deleted chat is nothing to read.
 */
export interface MembershipStore {
  join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome>;
  /** True when the user was a member. */
  leave(userId: string, room: string): Promise<boolean>;
  /** The user's read marker in `room`, or undefined when the user is not a member. */
  readSeq(userId: string, room: string): Promise<number | undefined>;
  /** Every membership of the user with its counts, ordered by room name (code-unit order). */
  list(userId: string): Promise<Membership[]>;
  /**
   * One membership with its counts, or undefined when the user is not a member. With `upTo`, the
   * counts stop at that seq (a `joined` counts what it covers; what comes live after it, the
   * client counts on). `latestSeq` is the room's either way.
   */
  membership(userId: string, room: string, upTo?: number): Promise<Membership | undefined>;
  /** Stores the user's notification level for `room`; false (and nothing stored) when not a member. */
  setNotify(userId: string, room: string, level: NotifyLevel): Promise<boolean>;
  /** How many users hold a membership of `room` (the `@room` rule). */
  memberCount(room: string): Promise<number>;
  /**
   * Moves the marker forward only: stores `max(readSeq, min(seq, latestSeq))`. A marker past the
   * room's `latestSeq` is clamped to it, so a bogus value cannot hide messages not yet sent.
   * Returns the marker now stored, or undefined (and changes nothing) when the user is not a member.
   * `seq` is a non-negative integer: the protocol's decoder validates it before it gets here.
   */
  markRead(userId: string, room: string, seq: number): Promise<number | undefined>;
}

/** The order `list` returns: by room name in code-unit order, the same in every backend. */
export function byRoom(a: Membership, b: Membership): number {
  return a.room < b.room ? -1 : a.room > b.room ? 1 : 0;
}
