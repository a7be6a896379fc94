import type Database from "better-sqlite3";
import { SETTINGS_MIGRATION } from "./migrations/005-settings";
import { MENTIONS_NOTIFY_MIGRATION } from "./migrations/006-mentions-notify";
import { SEARCH_MIGRATION } from "./migrations/007-search";
import { registerSearchFunctions } from "./search-functions";

/** Each entry moves the schema one version up; `PRAGMA user_version` records where a file is. */
const MIGRATIONS: string[] = [
  `CREATE TABLE messages (
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     user_name TEXT NOT NULL,
     text TEXT NOT NULL,
     ts INTEGER NOT NULL,
     client_msg_id TEXT NOT NULL,
     PRIMARY KEY (room, seq)
   ) WITHOUT ROWID;
   CREATE UNIQUE INDEX messages_dedupe ON messages (user_id, client_msg_id);
   CREATE TABLE sessions (
     token TEXT PRIMARY KEY,
     user_id TEXT NOT NULL,
     name TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   ) WITHOUT ROWID;`,
  // Protocol 2: rooms a user has joined, each with a read marker. Unread counts are a range of
  // messages' primary key (see sqlite/membership-store.ts), so appends pay for no extra index.
  `CREATE TABLE memberships (
     user_id TEXT NOT NULL,
     room TEXT NOT NULL,
     read_seq INTEGER NOT NULL,
     PRIMARY KEY (user_id, room)
   ) WITHOUT ROWID;`,
  // [3/6]: every change is a room event. `events` is the log, in seq order; a chat's row in
  // `chats` is the message as it stands (its text NULL once deleted); `reactions` says exactly who
  // has which emoji on, however many; `sends` remembers what each (user, clientMsgId) got, for
  // resends of every kind (a reaction that changed nothing included). The partial index finds a
  // chat's edits when it is deleted, so their texts go too; only edits pay for it.
  `CREATE TABLE chats (
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     id TEXT NOT NULL,
     user_id TEXT NOT NULL,
     user_name TEXT NOT NULL,
     text TEXT,
     ts INTEGER NOT NULL,
     client_msg_id TEXT NOT NULL,
     reply_to INTEGER,
     rev INTEGER NOT NULL,
     edited_ts INTEGER,
     deleted_by_id TEXT,
     deleted_by_name TEXT,
     deleted_ts INTEGER,
     reactions TEXT,
     PRIMARY KEY (room, seq)
   ) WITHOUT ROWID;
   CREATE TABLE events (
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('chat', 'edit', 'delete', 'reaction')),
     user_id TEXT,
     user_name TEXT,
     ts INTEGER,
     client_msg_id TEXT,
     target INTEGER,
     text TEXT,
     emoji TEXT,
     reaction_on INTEGER,
     PRIMARY KEY (room, seq)
   ) WITHOUT ROWID;
   CREATE INDEX events_edits ON events (room, target) WHERE kind = 'edit';
   CREATE TABLE reactions (
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     emoji TEXT NOT NULL,
     user_id TEXT NOT NULL,
     PRIMARY KEY (room, seq, emoji, user_id)
   ) WITHOUT ROWID;
   CREATE TABLE sends (
     user_id TEXT NOT NULL,
     client_msg_id TEXT NOT NULL,
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     ts INTEGER NOT NULL,
     stored INTEGER NOT NULL,
     PRIMARY KEY (user_id, client_msg_id)
   ) WITHOUT ROWID;
   INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev)
     SELECT room, seq, id, user_id, user_name, text, ts, client_msg_id, seq FROM messages;
   INSERT INTO events (room, seq, kind) SELECT room, seq, 'chat' FROM messages;
   INSERT INTO sends (user_id, client_msg_id, room, seq, ts, stored)
     SELECT user_id, client_msg_id, room, seq, ts, 1 FROM messages;
   DROP TABLE messages;`,
  // [4/6]: who may enter and who may speak. `events` gains the `moderation` kind, whose own
  // fields (action, user, until, ...) sit in `payload` as JSON (SQLite cannot widen a CHECK in
  // place, so the table is rebuilt). `room_access` holds each room's access state as entries of
  // a kind under a key (access-layout.ts, the layout PostgreSQL shares): it is only ever read by key
  // or listed per room and kind. `slow_mode_chats` is each user's last chat while slow mode is
  // on. `memberships_room` answers "does anyone hold this room" for `create`.
  `CREATE TABLE events_v4 (
     room TEXT NOT NULL,
     seq INTEGER NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('chat', 'edit', 'delete', 'reaction', 'moderation')),
     user_id TEXT,
     user_name TEXT,
     ts INTEGER,
     client_msg_id TEXT,
     target INTEGER,
     text TEXT,
     emoji TEXT,
     reaction_on INTEGER,
     payload TEXT,
     PRIMARY KEY (room, seq)
   ) WITHOUT ROWID;
   INSERT INTO events_v4 (room, seq, kind, user_id, user_name, ts, client_msg_id, target, text, emoji, reaction_on)
     SELECT room, seq, kind, user_id, user_name, ts, client_msg_id, target, text, emoji, reaction_on FROM events;
   DROP TABLE events;
   ALTER TABLE events_v4 RENAME TO events;
   CREATE INDEX events_edits ON events (room, target) WHERE kind = 'edit';
   CREATE TABLE room_access (
     room TEXT NOT NULL,
     kind TEXT NOT NULL,
     key TEXT NOT NULL,
     value TEXT NOT NULL,
     PRIMARY KEY (room, kind, key)
   ) WITHOUT ROWID;
   CREATE TABLE slow_mode_chats (
     room TEXT NOT NULL,
     user_id TEXT NOT NULL,
     ts INTEGER NOT NULL,
     PRIMARY KEY (room, user_id)
   ) WITHOUT ROWID;
   CREATE INDEX memberships_room ON memberships (room);`,
  SETTINGS_MIGRATION,
  MENTIONS_NOTIFY_MIGRATION,
  SEARCH_MIGRATION,
];

function allMigrations(): Array<{ version: number; sql: string }> {
  return MIGRATIONS.map((sql, index) => ({ version: index + 1, sql }));
}

export const SCHEMA_VERSION = allMigrations().at(-1)?.version ?? 0;

export function migrate(db: Database.Database): void {
  // The search index's triggers call these, in the migration and in every write after it.
  registerSearchFunctions(db);
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the file has schema version ${current}, newer than this server's ${SCHEMA_VERSION}; upgrade the server`);
  }
  const apply = db.transaction(() => {
    for (const migration of allMigrations()) {
      if (migration.version > current) db.exec(migration.sql);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  if (current < SCHEMA_VERSION) apply();
}
