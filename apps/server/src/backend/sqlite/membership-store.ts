import type { NotifyLevel } from "@chatroom/protocol";
import type Database from "better-sqlite3";
import { BackendClosedError } from "../backend-closed-error";
import {
  byRoom,
  type JoinOptions,
  type JoinOutcome,
  type Membership,
  type MembershipStore,
  NEW_MEMBERSHIP_NOTIFY,
} from "../membership-store";
import type { GroupCommit } from "./group-commit";

interface MembershipRow {
  room: string;
  read_seq: number;
  latest_seq: number;
  unread: number;
  unread_mentions: number;
  notify: NotifyLevel;
}

/** A room's latest seq as a subquery; `events` is keyed (room, seq), so this is one index probe. */
const LATEST = "(SELECT COALESCE(MAX(seq), 0) FROM events WHERE room = @room)";

/**
 * A membership row `ms` with its counts, up to `@up_to` (the room's latest when larger). Unread
 * mentions are the unread chats whose current mentions name the member or say `@room` (the JSON of
 * `chats.mentions` is read only for unread chats that mention someone).
 */
const COUNTED = `SELECT ms.room, ms.read_seq, ms.notify,
    (SELECT COALESCE(MAX(e.seq), 0) FROM events e WHERE e.room = ms.room) AS latest_seq,
    (SELECT COUNT(*) FROM chats c
       WHERE c.room = ms.room AND c.seq > ms.read_seq AND c.seq <= @up_to AND c.user_id != ms.user_id
         AND c.deleted_ts IS NULL) AS unread,
    (SELECT COUNT(*) FROM chats c
       WHERE c.room = ms.room AND c.seq > ms.read_seq AND c.seq <= @up_to AND c.user_id != ms.user_id
         AND c.deleted_ts IS NULL
         AND (c.mentions_room = 1
           OR (c.mentions IS NOT NULL AND EXISTS (SELECT 1 FROM json_each(c.mentions) m WHERE m.value ->> '$.id' = ms.user_id)))
    ) AS unread_mentions
  FROM memberships ms`;

/** Every seq: the counts of `list` run to the room's latest. */
const NO_BOUND = Number.MAX_SAFE_INTEGER;

/**
 * Memberships in the `memberships` table. Writes share the group commit, so each resolves only
 * once durable, and they run one after another inside its transaction: the `maxRooms` check and
 * the insert cannot interleave with another join. They are isolated writes (`submitIsolated`):
 * each makes at most one change, guarded so it cannot fail for data reasons (the insert only
 * after the existence check, integers validated by the decoder), and should one fail anyway it
 * fails alone instead of rolling back the chats of its tick.
 *
 * Unread is counted directly: the other users' chats after the marker that are not deleted, a
 * range of the `chats` primary key `(room, seq)`, so it costs what is unread and needs no index of
 * its own (no extra write per append); edits, deletions and reactions live in `events` and are
 * never counted. `list` is one query for all of a user's rooms.
 */
export class SqliteMembershipStore implements MembershipStore {
  private readonly commit: GroupCommit;
  private readonly isOpen: () => boolean;
  private readonly statements;

  constructor(options: { db: Database.Database; commit: GroupCommit; isOpen: () => boolean }) {
    const { db } = options;
    this.commit = options.commit;
    this.isOpen = options.isOpen;
    this.statements = {
      readSeq: db.prepare<{ user: string; room: string }, { read_seq: number }>(
        "SELECT read_seq FROM memberships WHERE user_id = @user AND room = @room",
      ),
      exists: db.prepare<{ user: string; room: string }, { one: number }>(
        "SELECT 1 AS one FROM memberships WHERE user_id = @user AND room = @room",
      ),
      count: db.prepare<{ user: string }, { n: number }>("SELECT COUNT(*) AS n FROM memberships WHERE user_id = @user"),
      insert: db.prepare<{ user: string; room: string; notify: NotifyLevel }>(
        `INSERT INTO memberships (user_id, room, read_seq, notify) VALUES (@user, @room, ${LATEST}, @notify)`,
      ),
      remove: db.prepare<{ user: string; room: string }>("DELETE FROM memberships WHERE user_id = @user AND room = @room"),
      markRead: db.prepare<{ user: string; room: string; seq: number }, { read_seq: number }>(
        `UPDATE memberships SET read_seq = MAX(read_seq, MIN(@seq, ${LATEST}))
         WHERE user_id = @user AND room = @room RETURNING read_seq`,
      ),
      list: db.prepare<{ user: string; up_to: number }, MembershipRow>(`${COUNTED} WHERE ms.user_id = @user`),
      one: db.prepare<{ user: string; room: string; up_to: number }, MembershipRow>(
        `${COUNTED} WHERE ms.user_id = @user AND ms.room = @room`,
      ),
      setNotify: db.prepare<{ user: string; room: string; level: NotifyLevel }>(
        "UPDATE memberships SET notify = @level WHERE user_id = @user AND room = @room",
      ),
      memberCount: db.prepare<{ room: string }, { n: number }>("SELECT COUNT(*) AS n FROM memberships WHERE room = @room"),
    };
  }

  join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome> {
    const key = { user: userId, room };
    return this.commit.submitIsolated((): JoinOutcome => {
      if (this.statements.exists.get(key)) return "already";
      if ((this.statements.count.get({ user: userId })?.n ?? 0) >= options.maxRooms) return "too_many";
      this.statements.insert.run({ ...key, notify: NEW_MEMBERSHIP_NOTIFY });
      return "joined";
    });
  }

  leave(userId: string, room: string): Promise<boolean> {
    return this.commit.submitIsolated(() => this.statements.remove.run({ user: userId, room }).changes > 0);
  }

  async readSeq(userId: string, room: string): Promise<number | undefined> {
    if (!this.isOpen()) throw new BackendClosedError();
    return this.statements.readSeq.get({ user: userId, room })?.read_seq;
  }

  async list(userId: string): Promise<Membership[]> {
    if (!this.isOpen()) throw new BackendClosedError();
    return this.statements.list.all({ user: userId, up_to: NO_BOUND }).map(membershipOf).sort(byRoom);
  }

  async membership(userId: string, room: string, upTo?: number): Promise<Membership | undefined> {
    if (!this.isOpen()) throw new BackendClosedError();
    const row = this.statements.one.get({ user: userId, room, up_to: upTo ?? NO_BOUND });
    return row && membershipOf(row);
  }

  setNotify(userId: string, room: string, level: NotifyLevel): Promise<boolean> {
    return this.commit.submitIsolated(() => this.statements.setNotify.run({ user: userId, room, level }).changes > 0);
  }

  async memberCount(room: string): Promise<number> {
    if (!this.isOpen()) throw new BackendClosedError();
    return this.statements.memberCount.get({ room })?.n ?? 0;
  }

  markRead(userId: string, room: string, seq: number): Promise<number | undefined> {
    return this.commit.submitIsolated(() => this.statements.markRead.get({ user: userId, room, seq })?.read_seq);
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
