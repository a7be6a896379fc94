import type pg from "pg";
import { SEARCH_DEFAULTS } from "../message-search";
import { cjkGramsOf, indexTextOf } from "./search-text";

/** A chat whose text changed: inserted or edited (its text as it now stands), or deleted (null). */
export interface SearchDocChange {
  room: string;
  seq: number;
  text: string | null;
}

/** A `search_docs` row as JS computes it (the fold is JavaScript's, not SQL's). */
interface SearchDocRow {
  room: string;
  seq: number;
  ts: number;
  author: string;
  body: string;
  /** The CJK grams joined by spaces (none holds one), "" for none: unnest cannot take ragged arrays. */
  cjk: string;
}

/** Where the statements go: the tick's client (only its `query`), any client, or the pool. */
export type SearchDocsDb = Pick<pg.ClientBase, "query"> | pg.ClientBase | pg.Pool;

interface ChatRow {
  room: string;
  seq: number;
  ts: number;
  user_name: string;
}

/** A chat as it stands, for the indexer: `text` null when it is deleted, every column null when it has no row. */
export interface CurrentChat {
  room: string;
  seq: number;
  ts: number | null;
  user_name: string | null;
  text: string | null;
}

const CHATS_OF_KEYS = `SELECT c.room, c.seq, c.ts, c.user_name
  FROM unnest($1::text[], $2::bigint[]) AS k(room, seq)
  JOIN chats AS c ON c.room = k.room AND c.seq = k.seq`;

/**
 * One statement for a whole batch: the deletions in a data-modifying CTE, then every upsert.
 * Each key appears once (writeSearchDocs keeps the last change), so the two never touch one row.
 */
const WRITE_DOCS = `WITH gone AS (
    DELETE FROM search_docs AS d USING unnest($1::text[], $2::bigint[]) AS k(room, seq)
    WHERE d.room = k.room AND d.seq = k.seq
  )
  INSERT INTO search_docs (room, seq, ts, author, body, cjk)
  SELECT room, seq, ts, author, body, CASE WHEN cjk = '' THEN NULL ELSE string_to_array(cjk, ' ') END
  FROM unnest($3::text[], $4::bigint[], $5::bigint[], $6::text[], $7::text[], $8::text[]) AS u(room, seq, ts, author, body, cjk)
  ON CONFLICT (room, seq) DO UPDATE SET ts = excluded.ts, author = excluded.author, body = excluded.body, cjk = excluded.cjk`;

/**
 * Brings `search_docs` in step with a batch of chat changes whose texts the caller knows, inside
 * its transaction (the search bench builds its index with it, after writing the `chats` rows): at most two
 * statements whatever the batch's size, one reading the new chats' times and author names, one
 * writing. A later change of the same chat in `changes` wins over an earlier one.
 */
export async function writeSearchDocs(db: SearchDocsDb, changes: readonly SearchDocChange[]): Promise<void> {
  if (changes.length === 0) return;
  const latest = new Map<string, SearchDocChange>();
  for (const change of changes) latest.set(`${change.seq}:${change.room}`, change);
  const gone: SearchDocChange[] = [];
  const texts = new Map<string, string>();
  for (const [key, change] of latest) {
    if (change.text === null) gone.push(change);
    else texts.set(key, change.text);
  }
  const rows: SearchDocRow[] = [];
  if (texts.size > 0) {
    const keys = [...latest.values()].filter((change) => change.text !== null);
    const { rows: chats } = await db.query<ChatRow>(CHATS_OF_KEYS, [keys.map((key) => key.room), keys.map((key) => key.seq)]);
    for (const chat of chats) {
      const text = texts.get(`${chat.seq}:${chat.room}`);
      if (text !== undefined) rows.push(docOf(chat, text));
    }
    if (rows.length !== texts.size) {
      const found = new Set(chats.map((chat) => `${chat.seq}:${chat.room}`));
      const missing = [...texts.keys()].filter((key) => !found.has(key));
      throw new Error(
        `writeSearchDocs: no chats row for ${missing.slice(0, 5).join(", ")} (seq:room): insert the chat before indexing it, in the same transaction`,
      );
    }
  }
  await upsertDocs(db, rows, gone);
}

/**
 * Brings `search_docs` in step with chats read as they now stand (search-indexer.ts), in one
 * statement: a chat with text is upserted, one without (deleted, or no row) removed. Each chat
 * appears once in `chats`.
 */
export async function indexCurrentChats(db: SearchDocsDb, chats: readonly CurrentChat[]): Promise<void> {
  if (chats.length === 0) return;
  const rows: SearchDocRow[] = [];
  const gone: Array<{ room: string; seq: number }> = [];
  for (const chat of chats) {
    const { ts, user_name: userName, text } = chat;
    if (ts === null || userName === null || text === null) gone.push(chat);
    else rows.push(docOf({ room: chat.room, seq: chat.seq, ts, user_name: userName }, text));
  }
  await upsertDocs(db, rows, gone);
}

/**
 * (Re)indexes every chat that has text, `batch` per statement in (room, seq) order, each batch
 * committed on its own, then drops rows of chats that no longer have text. For the SQLite ->
 * PostgreSQL migration command, after the rows are copied; safe to run again. Returns the chats
 * indexed.
 */
export async function rebuildSearchDocs(pool: pg.Pool, options: { batch?: number } = {}): Promise<number> {
  const batch = options.batch ?? SEARCH_DEFAULTS.rebuildBatch;
  let indexed = 0;
  let from: { room: string; seq: number } | undefined;
  for (;;) {
    const { rows } = await pool.query<ChatRow & { text: string }>(
      `SELECT room, seq, ts, user_name, text FROM chats
       WHERE text IS NOT NULL ${from ? "AND (room, seq) > ($2::text, $3::bigint)" : ""}
       ORDER BY room, seq LIMIT $1`,
      from ? [batch, from.room, from.seq] : [batch],
    );
    if (rows.length === 0) break;
    await upsertDocs(
      pool,
      rows.map((row) => docOf(row, row.text)),
      [],
    );
    indexed += rows.length;
    const last = rows[rows.length - 1] as ChatRow;
    from = { room: last.room, seq: last.seq };
  }
  await pool.query(`DELETE FROM search_docs AS d WHERE NOT EXISTS
    (SELECT 1 FROM chats AS c WHERE c.room = d.room AND c.seq = d.seq AND c.text IS NOT NULL)`);
  return indexed;
}

function docOf(chat: ChatRow, text: string): SearchDocRow {
  const body = indexTextOf(text);
  return {
    room: chat.room,
    seq: chat.seq,
    ts: chat.ts,
    author: indexTextOf(chat.user_name),
    body,
    cjk: cjkGramsOf(body).join(" "),
  };
}

async function upsertDocs(
  db: SearchDocsDb,
  rows: readonly SearchDocRow[],
  gone: ReadonlyArray<{ room: string; seq: number }>,
): Promise<void> {
  await db.query(WRITE_DOCS, [
    gone.map((change) => change.room),
    gone.map((change) => change.seq),
    rows.map((row) => row.room),
    rows.map((row) => row.seq),
    rows.map((row) => row.ts),
    rows.map((row) => row.author),
    rows.map((row) => row.body),
    rows.map((row) => row.cjk),
  ]);
}
