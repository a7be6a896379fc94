/**
 * Migration 1: the tables of the SQLite store (sqlite/schema.ts, migrations 1-6), as they stand at
 * SQLite's version 7, plus `rooms`, the per-room seq counter. Column for column the same, so
 * `migrate-store` copies rows as they are and event-rows.ts's row -> frame mapping can be shared:
 * JSON stays `text` (jsonb would reorder a chat's `reactions` keys, which is the order they were
 * first added); flags SQLite keeps as 0/1 integers stay `integer`. Times and seqs are `bigint`
 * (milliseconds since the epoch do not fit `integer`); pool.ts reads them back as numbers.
 *
 * No foreign keys, as on SQLite: every write goes through the store's one atomic step, and a
 * foreign key would cost each append an index probe per reference.
 */
export const INITIAL_MIGRATION = `
CREATE TABLE rooms (
  room text PRIMARY KEY,
  -- The room's latest seq. An append takes the next one with
  --   INSERT INTO rooms VALUES ($1, 1) ON CONFLICT (room) DO UPDATE SET seq = rooms.seq + 1 RETURNING seq
  -- in the transaction that stores the event: the row lock orders a room's appends across nodes,
  -- and a rollback gives the seq back, so a seq is never skipped or reused.
  seq bigint NOT NULL
);

CREATE TABLE events (
  room text NOT NULL,
  seq bigint NOT NULL,
  kind text NOT NULL CHECK (kind IN ('chat', 'edit', 'delete', 'reaction', 'moderation')),
  user_id text,
  user_name text,
  ts bigint,
  client_msg_id text,
  target bigint,
  text text,
  emoji text,
  reaction_on integer,
  payload text,
  mentions text,
  PRIMARY KEY (room, seq)
);
-- A chat's edits, found when it is deleted so their texts go too; only edits pay for it.
CREATE INDEX events_edits ON events (room, target) WHERE kind = 'edit';

CREATE TABLE chats (
  room text NOT NULL,
  seq bigint NOT NULL,
  id text NOT NULL,
  user_id text NOT NULL,
  user_name text NOT NULL,
  text text,
  ts bigint NOT NULL,
  client_msg_id text NOT NULL,
  reply_to bigint,
  rev bigint NOT NULL,
  edited_ts bigint,
  deleted_by_id text,
  deleted_by_name text,
  deleted_ts bigint,
  reactions text,
  mentions text,
  mentions_room integer,
  PRIMARY KEY (room, seq)
);

CREATE TABLE reactions (
  room text NOT NULL,
  seq bigint NOT NULL,
  emoji text NOT NULL,
  user_id text NOT NULL,
  PRIMARY KEY (room, seq, emoji, user_id)
);

-- What each (user, clientMsgId) got, for resends of every kind: the dedupe is this key.
-- An append inserts here with ON CONFLICT DO NOTHING, so a duplicate never aborts the tick's
-- shared transaction; no row back means "already sent", and the original is read.
CREATE TABLE sends (
  user_id text NOT NULL,
  client_msg_id text NOT NULL,
  room text NOT NULL,
  seq bigint NOT NULL,
  ts bigint NOT NULL,
  stored integer NOT NULL,
  CONSTRAINT sends_dedupe PRIMARY KEY (user_id, client_msg_id)
);

CREATE TABLE memberships (
  user_id text NOT NULL,
  room text NOT NULL,
  read_seq bigint NOT NULL,
  notify text NOT NULL DEFAULT 'mentions',
  PRIMARY KEY (user_id, room)
);
CREATE INDEX memberships_room ON memberships (room);

CREATE TABLE sessions (
  token text PRIMARY KEY,
  user_id text NOT NULL,
  name text NOT NULL,
  updated_at bigint NOT NULL
);

CREATE TABLE settings (
  key text PRIMARY KEY,
  value text NOT NULL
);

-- A room's access state as entries of a kind under a key (access-layout.ts, shared with SQLite).
CREATE TABLE room_access (
  room text NOT NULL,
  kind text NOT NULL,
  key text NOT NULL,
  value text NOT NULL,
  PRIMARY KEY (room, kind, key)
);

CREATE TABLE slow_mode_chats (
  room text NOT NULL,
  user_id text NOT NULL,
  ts bigint NOT NULL,
  PRIMARY KEY (room, user_id)
);

-- TODO([6/6] search): migration 2. CREATE EXTENSION pg_trgm (trusted since PostgreSQL 13, so the
-- database owner may create it on a managed server), a search_docs table keyed by (room, seq)
-- with the folded text and author (folded by search/fold in JS at append time, since the fold is
-- not SQL), a GIN gin_trgm_ops index for terms of 3+ code points, and for 1-2 character CJK terms
-- either a GIN over the per-character token array (as SQLite's search_cjk) or a seq scan bounded
-- by SEARCH_DEFAULTS. Same result format and order as sqlite/message-search.ts.
`;
