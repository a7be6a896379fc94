import type pg from "pg";
import type { AccessKind } from "../access-layout";
import type { StoredChat } from "../chat-state";
import { type ChatRow, chatColumnsOf, type EventRow, eventOfRow, SELECT_EVENTS, storedChatOf } from "../event-rows";
import { keyOf, type PgTickState, type RowNeed, type TickWrites } from "./tick-state";

/** A connection inside the tick's open transaction. */
export type TickClient = Pick<pg.ClientBase, "query">;

/**
 * Locks the counter row of every room of the tick, in one order (code points), so two nodes'
 * ticks that share rooms queue rather than deadlock; makes the rows of new rooms. Returns each
 * room's latest committed seq. The locks hold until COMMIT: nothing else changes these rooms meanwhile.
 */
export async function lockRooms(client: TickClient, rooms: readonly string[]): Promise<Map<string, number>> {
  const result = await client.query<{ room: string; seq: number }>({
    name: "chatroom-tick-lock",
    text: `INSERT INTO rooms (room, seq) SELECT room, 0 FROM unnest($1::text[]) AS t(room) ORDER BY room COLLATE "C"
           ON CONFLICT (room) DO UPDATE SET seq = rooms.seq RETURNING room, seq`,
    values: [rooms],
  });
  return new Map(result.rows.map((row) => [row.room, row.seq]));
}

/** What to load in one round trip: the common needs of the tick's steps, or one step's miss. */
export class RowRequest {
  readonly sends: Array<[string, string]> = [];
  readonly access: Array<[string, AccessKind, string]> = [];
  readonly accessRooms: string[] = [];
  readonly slowChats: Array<[string, string]> = [];
  readonly chats: Array<[string, number]> = [];
  readonly reactors: Array<[string, number, string, string]> = [];
  readonly members: string[] = [];
  readonly events: Array<[string, number]> = [];
  private readonly seen = new Set<string>();

  add(need: RowNeed): this {
    const key = keyOf(...Object.values(need));
    if (this.seen.has(key)) return this;
    this.seen.add(key);
    switch (need.kind) {
      case "sends":
        this.sends.push([need.userId, need.clientMsgId]);
        break;
      case "access":
        this.access.push([need.room, need.entry, need.key]);
        break;
      case "access-room":
        this.accessRooms.push(need.room);
        break;
      case "slow-chat":
        this.slowChats.push([need.room, need.userId]);
        break;
      case "chat":
        this.chats.push([need.room, need.seq]);
        break;
      case "reactor":
        this.reactors.push([need.room, need.seq, need.emoji, need.userId]);
        break;
      case "members":
        this.members.push(need.room);
        break;
      case "event":
        this.events.push([need.room, need.seq]);
        break;
    }
    return this;
  }
}

const column = <T, K extends number>(rows: readonly T[], index: K) => rows.map((row) => (row as unknown as unknown[])[index]);

const CHAT_JSON = `c.room AS c_room, c.seq AS c_seq, c.id AS c_id, c.user_id AS c_user_id, c.user_name AS c_user_name, c.text AS c_text,
  c.ts AS c_ts, c.client_msg_id AS c_client_msg_id, c.reply_to AS c_reply_to, c.rev AS c_rev, c.edited_ts AS c_edited_ts,
  c.deleted_by_id AS c_deleted_by_id, c.deleted_by_name AS c_deleted_by_name, c.deleted_ts AS c_deleted_ts,
  c.reactions AS c_reactions, c.mentions AS c_mentions, c.mentions_room AS c_mentions_room,
  q.user_id AS q_user_id, q.user_name AS q_user_name, q.text AS q_text`;

/**
 * Every kind of row a step reads, in one statement: each part answers one kind, as JSON, so a
 * tick's common needs cost one round trip. A part with empty arrays costs next to nothing.
 */
const LOAD_ROWS = `
SELECT 's' AS part, json_build_array(s.user_id, s.client_msg_id, s.room, s.seq, s.ts, s.stored) AS row
  FROM sends s JOIN unnest($1::text[], $2::text[]) AS w(user_id, client_msg_id) USING (user_id, client_msg_id)
UNION ALL
SELECT 'a', json_build_array(a.room, a.kind, a.key, a.value)
  FROM room_access a JOIN unnest($3::text[], $4::text[], $5::text[]) AS w(room, kind, key) USING (room, kind, key)
UNION ALL
SELECT 'A', json_build_array(a.room, a.kind, a.key, a.value) FROM room_access a WHERE a.room = ANY($6::text[])
UNION ALL
SELECT 'l', json_build_array(l.room, l.user_id, l.ts)
  FROM slow_mode_chats l JOIN unnest($7::text[], $8::text[]) AS w(room, user_id) USING (room, user_id)
UNION ALL
SELECT 'c', row_to_json(x) FROM (
  SELECT ${CHAT_JSON} FROM chats c JOIN unnest($9::text[], $10::bigint[]) AS w(room, seq) ON c.room = w.room AND c.seq = w.seq
  LEFT JOIN chats q ON q.room = c.room AND q.seq = c.reply_to) x
UNION ALL
SELECT 'r', json_build_array(r.room, r.seq, r.emoji, r.user_id)
  FROM reactions r JOIN unnest($11::text[], $12::bigint[], $13::text[], $14::text[]) AS w(room, seq, emoji, user_id) USING (room, seq, emoji, user_id)
UNION ALL
SELECT 'm', json_build_array(w.room, (SELECT count(*) FROM memberships m WHERE m.room = w.room AND m.user_id <> ALL($16::text[])))
  FROM unnest($15::text[]) AS w(room)`;

type Loaded = { part: "s" | "a" | "A" | "l" | "c" | "r" | "m"; row: unknown };

/** Loads what `request` asks into the tick; everything asked and not found is known absent from then on. */
export async function loadRows(client: TickClient, state: PgTickState, request: RowRequest): Promise<void> {
  const forgotten = request.members.length === 1 ? state.forgottenIn(request.members[0] as string) : [];
  const result = await client.query<Loaded>({
    name: "chatroom-tick-load",
    text: LOAD_ROWS,
    values: [
      column(request.sends, 0),
      column(request.sends, 1),
      column(request.access, 0),
      column(request.access, 1),
      column(request.access, 2),
      request.accessRooms,
      column(request.slowChats, 0),
      column(request.slowChats, 1),
      column(request.chats, 0),
      column(request.chats, 1),
      column(request.reactors, 0),
      column(request.reactors, 1),
      column(request.reactors, 2),
      column(request.reactors, 3),
      request.members,
      forgotten,
    ],
  });
  // Absent unless a row says otherwise.
  for (const [userId, clientMsgId] of request.sends) state.loadSent(userId, clientMsgId, null);
  for (const [room, kind, key] of request.access) state.loadAccess(room, kind, key, null);
  for (const [room, userId] of request.slowChats) state.loadSlowChat(room, userId, null);
  const chats = new Map<string, StoredChat>();
  const reactors = new Set<string>();
  const roomRows = new Map<string, Array<{ kind: AccessKind; key: string; value: string }>>(request.accessRooms.map((room) => [room, []]));
  for (const { part, row } of result.rows) {
    switch (part) {
      case "s": {
        const [userId, clientMsgId, room, seq, ts, stored] = row as [string, string, string, number, number, number];
        state.loadSent(userId, clientMsgId, { room, seq, ts, stored: stored === 1 });
        break;
      }
      case "a": {
        const [room, kind, key, value] = row as [string, AccessKind, string, string];
        state.loadAccess(room, kind, key, value);
        break;
      }
      case "A": {
        const [room, kind, key, value] = row as [string, AccessKind, string, string];
        roomRows.get(room)?.push({ kind, key, value });
        break;
      }
      case "l": {
        const [room, userId, ts] = row as [string, string, number];
        state.loadSlowChat(room, userId, ts);
        break;
      }
      case "c": {
        const chat = row as ChatRow & { c_room: string };
        chats.set(keyOf(chat.c_room, chat.c_seq), storedChatOf(chat.c_room, chat));
        break;
      }
      case "r": {
        reactors.add(keyOf(...(row as [string, number, string, string])));
        break;
      }
      case "m": {
        const [room, count] = row as [string, number];
        state.loadMembers(room, count);
        break;
      }
    }
  }
  for (const [room, rows] of roomRows) state.loadAccessRoom(room, rows);
  for (const [room, seq] of request.chats) state.loadChat(room, seq, chats.get(keyOf(room, seq)) ?? null);
  for (const [room, seq, emoji, userId] of request.reactors) {
    state.loadReactor(room, seq, emoji, userId, reactors.has(keyOf(room, seq, emoji, userId)));
  }
  for (const [room, seq] of request.events) {
    const events = await client.query<EventRow>({
      name: "chatroom-tick-event",
      text: `${SELECT_EVENTS} WHERE e.room = $1 AND e.seq = $2`,
      values: [room, seq],
    });
    const found = events.rows[0];
    state.loadEvent(room, seq, found ? eventOfRow(room, found) : null);
  }
}

/**
 * Every write of the tick in one statement: one data-modifying CTE per table. They run on one
 * snapshot and never touch the same row twice (tick-state.ts collapses each key to its final
 * value, and scrubs this tick's own rows in memory where a purge would need to see them).
 * Returns how many send keys were claimed: fewer than written means another node's commit
 * took one while this tick ran, and the tick must run again.
 */
const WRITE_TICK = `
WITH
s AS (INSERT INTO sends (user_id, client_msg_id, room, seq, ts, stored)
      SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::int[])
      ON CONFLICT DO NOTHING RETURNING 1),
e AS (INSERT INTO events (room, seq, kind, user_id, user_name, ts, client_msg_id, target, text, emoji, reaction_on, payload, mentions)
      SELECT * FROM unnest($7::text[], $8::bigint[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::text[],
                           $14::bigint[], $15::text[], $16::text[], $17::int[], $18::text[], $19::text[])),
pe AS (UPDATE events ev SET text = NULL, mentions = NULL FROM unnest($20::text[], $21::bigint[]) AS p(room, target)
       WHERE ev.room = p.room AND ev.target = p.target AND ev.kind = 'edit'),
c AS (INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, reply_to, rev, edited_ts,
                         deleted_by_id, deleted_by_name, deleted_ts, reactions, mentions, mentions_room)
      SELECT * FROM unnest($22::text[], $23::bigint[], $24::text[], $25::text[], $26::text[], $27::text[], $28::bigint[], $29::text[],
                           $30::bigint[], $31::bigint[], $32::bigint[], $33::text[], $34::text[], $35::bigint[], $36::text[],
                           $37::text[], $38::int[])
      ON CONFLICT (room, seq) DO UPDATE SET text = excluded.text, reply_to = excluded.reply_to, rev = excluded.rev,
        edited_ts = excluded.edited_ts, deleted_by_id = excluded.deleted_by_id, deleted_by_name = excluded.deleted_by_name,
        deleted_ts = excluded.deleted_ts, reactions = excluded.reactions, mentions = excluded.mentions,
        mentions_room = excluded.mentions_room),
pr AS (DELETE FROM reactions r USING unnest($39::text[], $40::bigint[]) AS p(room, seq) WHERE r.room = p.room AND r.seq = p.seq),
ra AS (INSERT INTO reactions (room, seq, emoji, user_id)
       SELECT room, seq, emoji, user_id FROM unnest($41::text[], $42::bigint[], $43::text[], $44::text[], $45::boolean[])
         AS t(room, seq, emoji, user_id, is_on) WHERE is_on
       ON CONFLICT DO NOTHING),
rd AS (DELETE FROM reactions r USING unnest($41::text[], $42::bigint[], $43::text[], $44::text[], $45::boolean[])
         AS t(room, seq, emoji, user_id, is_on)
       WHERE NOT t.is_on AND r.room = t.room AND r.seq = t.seq AND r.emoji = t.emoji AND r.user_id = t.user_id),
au AS (INSERT INTO room_access (room, kind, key, value)
       SELECT room, kind, key, value FROM unnest($46::text[], $47::text[], $48::text[], $49::text[]) AS t(room, kind, key, value)
       WHERE value IS NOT NULL
       ON CONFLICT (room, kind, key) DO UPDATE SET value = excluded.value),
ad AS (DELETE FROM room_access a USING unnest($46::text[], $47::text[], $48::text[], $49::text[]) AS t(room, kind, key, value)
       WHERE t.value IS NULL AND a.room = t.room AND a.kind = t.kind AND a.key = t.key),
md AS (DELETE FROM memberships m USING unnest($50::text[], $51::text[]) AS t(room, user_id)
       WHERE m.room = t.room AND m.user_id = t.user_id),
sl AS (INSERT INTO slow_mode_chats (room, user_id, ts) SELECT * FROM unnest($52::text[], $53::text[], $54::bigint[])
       ON CONFLICT (room, user_id) DO UPDATE SET ts = excluded.ts),
rs AS (UPDATE rooms r SET seq = t.seq FROM unnest($55::text[], $56::bigint[]) AS t(room, seq) WHERE r.room = t.room),
sb AS (INSERT INTO search_backlog (room, seq) SELECT * FROM unnest($57::text[], $58::bigint[]))
SELECT (SELECT count(*) FROM s)::int AS claimed`;

/** Writes the tick; false when a send key it claimed was taken meanwhile (run the tick again). */
export async function writeTick(client: TickClient, writes: TickWrites): Promise<boolean> {
  const { sends, events, purgedEdits, purgedReactions, reactors, access, forgottenMemberships, slowChats, seqs, searchQueue } = writes;
  const chats = writes.chats.map(chatColumnsOf);
  const result = await client.query<{ claimed: number }>({
    name: "chatroom-tick-write",
    text: WRITE_TICK,
    values: [
      sends.map((s) => s.userId),
      sends.map((s) => s.clientMsgId),
      sends.map((s) => s.room),
      sends.map((s) => s.seq),
      sends.map((s) => s.ts),
      sends.map((s) => (s.stored ? 1 : 0)),
      events.map((e) => e.room),
      events.map((e) => e.seq),
      events.map((e) => e.kind),
      events.map((e) => e.user_id),
      events.map((e) => e.user_name),
      events.map((e) => e.ts),
      events.map((e) => e.client_msg_id),
      events.map((e) => e.target),
      events.map((e) => e.text),
      events.map((e) => e.emoji),
      events.map((e) => e.reaction_on),
      events.map((e) => e.payload),
      events.map((e) => e.mentions),
      purgedEdits.map((p) => p.room),
      purgedEdits.map((p) => p.target),
      chats.map((c) => c.room),
      chats.map((c) => c.seq),
      chats.map((c) => c.id),
      chats.map((c) => c.user_id),
      chats.map((c) => c.user_name),
      chats.map((c) => c.text),
      chats.map((c) => c.ts),
      chats.map((c) => c.client_msg_id),
      chats.map((c) => c.reply_to),
      chats.map((c) => c.rev),
      chats.map((c) => c.edited_ts),
      chats.map((c) => c.deleted_by_id),
      chats.map((c) => c.deleted_by_name),
      chats.map((c) => c.deleted_ts),
      chats.map((c) => c.reactions),
      chats.map((c) => c.mentions),
      chats.map((c) => c.mentions_room),
      purgedReactions.map((p) => p.room),
      purgedReactions.map((p) => p.seq),
      reactors.map((r) => r.room),
      reactors.map((r) => r.seq),
      reactors.map((r) => r.emoji),
      reactors.map((r) => r.userId),
      reactors.map((r) => r.on),
      access.map((a) => a.room),
      access.map((a) => a.kind),
      access.map((a) => a.key),
      access.map((a) => a.value),
      forgottenMemberships.map((f) => f.room),
      forgottenMemberships.map((f) => f.userId),
      slowChats.map((l) => l.room),
      slowChats.map((l) => l.userId),
      slowChats.map((l) => l.ts),
      seqs.map((s) => s.room),
      seqs.map((s) => s.seq),
      searchQueue.map((q) => q.room),
      searchQueue.map((q) => q.seq),
    ],
  });
  return (result.rows[0]?.claimed ?? 0) === sends.length;
}
