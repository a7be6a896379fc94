import type pg from "pg";
import { createMessageIds } from "../message-ids";
import type { Ack } from "../message-store";

/** A plain chat, as the prototype takes it: no reply, no mentions, no access checks yet. */
export interface PgChatRequest {
  room: string;
  userId: string;
  userName: string;
  clientMsgId: string;
  text: string;
}

export interface PgChatResult {
  ack: Ack;
  /** True when `(userId, clientMsgId)` was already used: `ack` is the original's, nothing was stored. */
  duplicate: boolean;
}

/** A connection inside an open transaction (`BEGIN` sent): a pool client or the tick's writer. */
type Transaction = Pick<pg.ClientBase, "query">;

/**
 * PROTOTYPE ([6/6] groundwork, not wired into a Backend, not the MessageStore interface yet): a
 * chat appended the way the PostgreSQL store will append every kind of change.
 *
 * 1. Claim `(user_id, client_msg_id)` in `sends` first, `ON CONFLICT DO NOTHING`: the unique key
 *    is the dedupe. No row back means the key is taken (by a committed send, or by one in flight on
 *    another node, which this insert waits for), and the original's ack is read. Claiming first
 *    means a resend never takes a seq, and a conflict never raises: the tick's other appends share
 *    this transaction and an error would abort them all.
 * 2. Take the room's next seq from its `rooms` row (upsert, `RETURNING`). The row lock holds until
 *    COMMIT, so appends to one room are serialized across nodes, and a rollback gives the seq back:
 *    no seq is skipped, none is reused.
 * 3. Write the event and the chat, and the send's real seq.
 * The caller commits, then acks: acked means committed (synchronous_commit on).
 *
 * Next ([6/6]): the access gate and change rules of sqlite/message-store.ts run between 1 and 2
 * on rows read in this transaction (`SELECT ... FOR UPDATE` where SQLite relies on its single
 * writer), and a group commit sends one tick's appends in one transaction, pipelined.
 */
export class PgMessageStore {
  private readonly nextMessageId: () => string;

  constructor(
    private readonly pool: pg.Pool,
    private readonly options: { nodeId: string; now: () => number },
  ) {
    this.nextMessageId = createMessageIds(options.nodeId);
  }

  /** One chat in its own transaction (the group commit will put a tick's chats in one). */
  async appendChat(request: PgChatRequest): Promise<PgChatResult> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await this.appendChatIn(client, request);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** The append's statements, inside a transaction the caller opened and will commit. */
  async appendChatIn(tx: Transaction, request: PgChatRequest): Promise<PgChatResult> {
    const { room, userId, userName, clientMsgId, text } = request;
    const ts = this.options.now();
    const claimed = await tx.query(
      `INSERT INTO sends (user_id, client_msg_id, room, seq, ts, stored) VALUES ($1, $2, $3, 0, $4, 1)
       ON CONFLICT ON CONSTRAINT sends_dedupe DO NOTHING RETURNING 1`,
      [userId, clientMsgId, room, ts],
    );
    if (claimed.rowCount === 0) {
      const original = await tx.query<{ room: string; seq: number; ts: number }>(
        "SELECT room, seq, ts FROM sends WHERE user_id = $1 AND client_msg_id = $2",
        [userId, clientMsgId],
      );
      const row = original.rows[0];
      if (!row) throw new Error("a send's key conflicted but its row is gone");
      return { ack: { room: row.room, seq: row.seq, ts: row.ts }, duplicate: true };
    }
    const counter = await tx.query<{ seq: number }>(
      `INSERT INTO rooms (room, seq) VALUES ($1, 1)
       ON CONFLICT (room) DO UPDATE SET seq = rooms.seq + 1 RETURNING seq`,
      [room],
    );
    const seq = counter.rows[0]?.seq;
    if (seq === undefined) throw new Error("the room counter returned no row");
    await tx.query(`INSERT INTO events (room, seq, kind, user_id, user_name, ts, client_msg_id) VALUES ($1, $2, 'chat', $3, $4, $5, $6)`, [
      room,
      seq,
      userId,
      userName,
      ts,
      clientMsgId,
    ]);
    await tx.query(
      `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $2)`,
      [room, seq, this.nextMessageId(), userId, userName, text, ts, clientMsgId],
    );
    await tx.query("UPDATE sends SET seq = $3 WHERE user_id = $1 AND client_msg_id = $2", [userId, clientMsgId, seq]);
    return { ack: { room, seq, ts }, duplicate: false };
  }

  async latestSeq(room: string): Promise<number> {
    const { rows } = await this.pool.query<{ seq: number }>("SELECT seq FROM rooms WHERE room = $1", [room]);
    return rows[0]?.seq ?? 0;
  }
}
