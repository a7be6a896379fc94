import type Database from "better-sqlite3";

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
];

export const SCHEMA_VERSION = MIGRATIONS.length;

export function migrate(db: Database.Database): void {
  const current = db.pragma("user_version", { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(`the file has schema version ${current}, newer than this server's ${SCHEMA_VERSION}; upgrade the server`);
  }
  const apply = db.transaction(() => {
    for (let version = current; version < SCHEMA_VERSION; version++) {
      db.exec(MIGRATIONS[version] as string);
    }
    db.pragma(`user_version = ${SCHEMA_VERSION}`);
  });
  if (current < SCHEMA_VERSION) apply();
}
