import type { NotifyLevel } from "@chatroom/protocol";
import type pg from "pg";
import { BackendClosedError } from "../backend-closed-error";
import {
  byRoom,
  type JoinOptions,
  type JoinOutcome,
  type Membership,
  type MembershipStore,
  NEW_MEMBERSHIP_NOTIFY,
} from "../membership-store";
import { inTransaction } from "./in-transaction";
import { type PgStoreOptions, type ResolvedPgStoreOptions, resolvePgStoreOptions } from "./store-options";

interface MembershipRow {
  room: string;
  read_seq: number;
  latest_seq: number;
  unread: number;
  unread_mentions: number;
  notify: NotifyLevel;
}

/** A room's latest seq: its counter row (migration 1's `rooms`), 0 before its first event. */
const LATEST = "COALESCE((SELECT r.seq FROM rooms r WHERE r.room = $2), 0)";

/**
 * Memberships `ms` with their counts up to `$2` (the room's latest when larger): SQLite's
 * `COUNTED` (sqlite/membership-store.ts) rule for rule. Unread: the other users' chats after the
 * marker that are not deleted (`deleted_ts IS NULL`), a range of the `chats` primary key
 * `(room, seq)`. Unread mentions: those of them that say `@room` or whose current mentions (JSON
 * text, an array of users) hold one with the member's id, chat-state.ts `mentionsUser`. The JSON
 * is parsed only for unread chats that mention someone; containment (`@>`) rather than
 * `jsonb_array_elements`, which would raise on a value that is not an array where SQLite's
 * `json_each` does not.
 */
const COUNTED = `SELECT ms.room, ms.read_seq, ms.notify, COALESCE(r.seq, 0) AS latest_seq, counts.unread, counts.unread_mentions
  FROM memberships ms
  LEFT JOIN rooms r ON r.room = ms.room
  CROSS JOIN LATERAL (
    SELECT count(*) AS unread,
      count(*) FILTER (WHERE c.mentions_room = 1
        OR (c.mentions IS NOT NULL AND c.mentions::jsonb @> jsonb_build_array(jsonb_build_object('id', ms.user_id)))
      ) AS unread_mentions
    FROM chats c
    WHERE c.room = ms.room AND c.seq > ms.read_seq AND c.seq <= $2 AND c.user_id <> ms.user_id AND c.deleted_ts IS NULL
  ) counts`;

/** Every seq: the counts of `list` run to the room's latest. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * The advisory-lock namespace of a user's joins ('memb' in ASCII): the first key of the two-int4
 * form, whose key space is apart from the one-bigint form migrate.ts locks, so the two never meet.
 */
const JOIN_LOCK_NAMESPACE = 0x6d656d62;

/**
 * A user's joins, one at a time across every node. Under READ COMMITTED each statement sees the
 * rows committed before it started, so "count, then insert if under maxRooms" run by two nodes at
 * once could both count `max - 1` and both insert; the primary key only stops the same room twice.
 * The lock (per user, on a hash of the id: a collision only makes two users' joins wait for each
 * other) is held until COMMIT, and the decision is a separate statement taken after the lock, so
 * its snapshot includes the join that held it. Transaction-level: a node that dies mid-join
 * releases it with its rollback.
 */
const LOCK_USER_JOINS = `SELECT pg_advisory_xact_lock(${JOIN_LOCK_NAMESPACE}, hashtext($1))`;

/**
 * The join's decision and insert in one statement, under the lock: "already" before "too_many",
 * as SQLite decides. A new membership starts read up to the room's latest seq.
 */
const JOIN = `WITH already AS (SELECT 1 FROM memberships WHERE user_id = $1 AND room = $2),
  held AS (SELECT count(*) AS n FROM memberships WHERE user_id = $1),
  inserted AS (
    INSERT INTO memberships (user_id, room, read_seq, notify)
    SELECT $1, $2, ${LATEST}, $4
    WHERE NOT EXISTS (SELECT 1 FROM already) AND (SELECT n FROM held) < $3
    RETURNING 1
  )
  SELECT EXISTS (SELECT 1 FROM already) AS already, EXISTS (SELECT 1 FROM inserted) AS joined`;

/**
 * Memberships in the `memberships` table, shared by every node on the database. Every write but
 * `join` is one statement: `markRead` moves the marker forward and clamps it to the room's counter
 * in the UPDATE itself (a concurrent markRead re-reads the row it waited for, so the marker never
 * goes back). `join` is a short transaction under a per-user advisory lock (see
 * `LOCK_USER_JOINS`). `list` is one query for all of a user's rooms, sorted in JS: PostgreSQL's
 * collations (even "C", which is UTF-8 byte order) are not UTF-16 code-unit order.
 */
export class PgMembershipStore implements MembershipStore {
  private readonly options: ResolvedPgStoreOptions;

  constructor(options: PgStoreOptions) {
    this.options = resolvePgStoreOptions(options);
  }

  async join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome> {
    const outcome = await inTransaction(this.pool(), async (client) => {
      await client.query(LOCK_USER_JOINS, [userId]);
      const { rows } = await client.query<{ already: boolean; joined: boolean }>(JOIN, [
        userId,
        room,
        options.maxRooms,
        NEW_MEMBERSHIP_NOTIFY,
      ]);
      return rows[0];
    });
    return outcome?.already ? "already" : outcome?.joined ? "joined" : "too_many";
  }

  async leave(userId: string, room: string): Promise<boolean> {
    const deleted = await this.pool().query("DELETE FROM memberships WHERE user_id = $1 AND room = $2", [userId, room]);
    return (deleted.rowCount ?? 0) > 0;
  }

  async readSeq(userId: string, room: string): Promise<number | undefined> {
    const { rows } = await this.pool().query<{ read_seq: number }>("SELECT read_seq FROM memberships WHERE user_id = $1 AND room = $2", [
      userId,
      room,
    ]);
    return rows[0]?.read_seq;
  }

  async list(userId: string): Promise<Membership[]> {
    const { rows } = await this.pool().query<MembershipRow>(`${COUNTED} WHERE ms.user_id = $1`, [userId, NO_BOUND]);
    return rows.map(membershipOf).sort(byRoom);
  }

  async membership(userId: string, room: string, upTo?: number): Promise<Membership | undefined> {
    const { rows } = await this.pool().query<MembershipRow>(`${COUNTED} WHERE ms.user_id = $1 AND ms.room = $3`, [
      userId,
      upTo ?? NO_BOUND,
      room,
    ]);
    const row = rows[0];
    return row && membershipOf(row);
  }

  async setNotify(userId: string, room: string, level: NotifyLevel): Promise<boolean> {
    const updated = await this.pool().query("UPDATE memberships SET notify = $3 WHERE user_id = $1 AND room = $2", [userId, room, level]);
    return (updated.rowCount ?? 0) > 0;
  }

  async memberCount(room: string): Promise<number> {
    const { rows } = await this.pool().query<{ n: number }>("SELECT count(*) AS n FROM memberships WHERE room = $1", [room]);
    return rows[0]?.n ?? 0;
  }

  async markRead(userId: string, room: string, seq: number): Promise<number | undefined> {
    const { rows } = await this.pool().query<{ read_seq: number }>(
      `UPDATE memberships SET read_seq = GREATEST(read_seq, LEAST($3::bigint, ${LATEST}))
       WHERE user_id = $1 AND room = $2 RETURNING read_seq`,
      [userId, room, seq],
    );
    return rows[0]?.read_seq;
  }

  private pool(): pg.Pool {
    if (!this.options.isOpen()) throw new BackendClosedError();
    return this.options.pool;
  }
}

function membershipOf(row: MembershipRow): Membership {
  return {
    room: row.room,
    latestSeq: row.latest_seq,
    readSeq: row.read_seq,
    unread: row.unread,
    unreadMentions: row.unread_mentions,
    notify: row.notify,
  };
}
