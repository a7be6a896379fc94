import { randomBytes } from "node:crypto";
import { closeSync, existsSync, openSync, readFileSync, writeFileSync, writeSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import type { ChangeKind } from "../../src/backend/message-store";
import { GroupCommit } from "../../src/backend/sqlite/group-commit";
import { SCHEMA_VERSION } from "../../src/backend/sqlite/schema";
import { SqliteBackend, StoreError } from "../../src/backend/sqlite/sqlite-backend";
import { type TempDir, tempDir } from "../support/temp-dir";

let dir: TempDir;
const open: SqliteBackend[] = [];

function openBackend(dataDir: string): SqliteBackend {
  const backend = SqliteBackend.open({ nodeId: "node-test", dataDir });
  open.push(backend);
  return backend;
}

function openError(dataDir: string): unknown {
  try {
    openBackend(dataDir);
  } catch (error) {
    return error;
  }
  return undefined;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((backend) => backend.close()));
  dir?.remove();
});

/** A file as version 1 of the schema left it (messages and sessions), with two messages in room r. */
const VERSION_1 = `CREATE TABLE messages (room TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, user_id TEXT NOT NULL,
    user_name TEXT NOT NULL, text TEXT NOT NULL, ts INTEGER NOT NULL, client_msg_id TEXT NOT NULL,
    PRIMARY KEY (room, seq)) WITHOUT ROWID;
  CREATE UNIQUE INDEX messages_dedupe ON messages (user_id, client_msg_id);
  CREATE TABLE sessions (token TEXT PRIMARY KEY, user_id TEXT NOT NULL, name TEXT NOT NULL,
    updated_at INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO messages VALUES ('r', 1, 'id1', 'u_bob', 'bob', 'old', 1, 'c1'),
    ('r', 2, 'id2', 'u_alice', 'alice', 'mine', 2, 'c2');`;

describe("SQLite store", () => {
  it("lives in DATA_DIR/chat.db, created with its parents, in WAL mode with synchronous=FULL", async () => {
    dir = tempDir();
    const dataDir = join(dir.path, "nested", "data");
    const backend = openBackend(dataDir);
    expect(backend.file).toBe(join(dataDir, "chat.db"));
    await backend.messages.append({ room: "r", actor: { id: "u", name: "n" }, kind: "chat", text: "hi", clientMsgId: "c" });
    expect(existsSync(join(dataDir, "chat.db"))).toBe(true);
    expect(existsSync(join(dataDir, "chat.db-wal"))).toBe(true);
    const peek = new Database(backend.file, { readonly: true });
    try {
      expect(peek.pragma("journal_mode", { simple: true })).toBe("wal");
      expect(peek.prepare("SELECT COUNT(*) AS n FROM chats").get()).toEqual({ n: 1 });
      expect(peek.prepare("SELECT COUNT(*) AS n FROM events").get()).toEqual({ n: 1 });
    } finally {
      peek.close();
    }
  });

  it("creates the schema on first open and records user_version", async () => {
    dir = tempDir();
    const backend = openBackend(dir.path);
    await backend.close();
    const peek = new Database(join(dir.path, "chat.db"), { readonly: true });
    try {
      expect(peek.pragma("user_version", { simple: true })).toBe(SCHEMA_VERSION);
      const tables = peek.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all();
      expect(tables).toEqual(
        [
          "chats",
          "events",
          "memberships",
          "reactions",
          "room_access",
          // Migration 7: the search index (two contentless FTS5 tables and their shadow tables, the indexer's backlog).
          "search_backlog",
          "search_cjk",
          "search_cjk_config",
          "search_cjk_data",
          "search_cjk_idx",
          "search_docs",
          "search_trigram",
          "search_trigram_config",
          "search_trigram_data",
          "search_trigram_idx",
          "sends",
          "sessions",
          "settings",
          "slow_mode_chats",
        ].map((name) => ({ name })),
      );
    } finally {
      peek.close();
    }
    // Reopening an up-to-date file migrates nothing and keeps working.
    const again = openBackend(dir.path);
    expect(await again.isReady()).toBe(true);
  });

  it("migrates an empty existing file at user_version 0", async () => {
    dir = tempDir();
    new Database(join(dir.path, "chat.db")).close();
    const backend = openBackend(dir.path);
    const result = await backend.messages.append({ room: "r", actor: { id: "u", name: "n" }, kind: "chat", text: "hi", clientMsgId: "c" });
    expect(result).toMatchObject({ ok: true, ack: { seq: 1 } });
  });

  it("upgrades a version 1 file (messages and sessions only) in place, keeping its history", async () => {
    dir = tempDir();
    const v1 = new Database(join(dir.path, "chat.db"));
    v1.exec(VERSION_1);
    v1.pragma("user_version = 1");
    v1.close();
    const backend = openBackend(dir.path);
    expect(await backend.messages.latestSeq("r")).toBe(2);
    expect(await backend.memberships.join("u_alice", "r", { maxRooms: 50 })).toBe("joined");
    await backend.messages.append({ room: "r", actor: { id: "u_bob", name: "bob" }, kind: "chat", text: "new", clientMsgId: "c3" });
    await backend.memberships.markRead("u_alice", "r", 1);
    expect(await backend.memberships.list("u_alice")).toEqual([
      { room: "r", latestSeq: 3, readSeq: 2, unread: 1, unreadMentions: 0, notify: "mentions" },
    ]);
  });

  it("upgrades a version 2 file in place: its chats stand unchanged, dedupe and unread counts carry over", async () => {
    dir = tempDir();
    const v2 = new Database(join(dir.path, "chat.db"));
    v2.exec(`${VERSION_1}
             CREATE TABLE memberships (user_id TEXT NOT NULL, room TEXT NOT NULL, read_seq INTEGER NOT NULL,
               PRIMARY KEY (user_id, room)) WITHOUT ROWID;
             INSERT INTO memberships VALUES ('u_alice', 'r', 0);`);
    v2.pragma("user_version = 2");
    v2.close();
    const backend = openBackend(dir.path);
    const bob = { id: "u_bob", name: "bob" };
    expect(await backend.messages.latestChats("r", 2, 10)).toEqual({
      messages: [
        { type: "chat", room: "r", seq: 1, id: "id1", from: bob, text: "old", ts: 1, clientMsgId: "c1", rev: 1 },
        {
          type: "chat",
          room: "r",
          seq: 2,
          id: "id2",
          from: { id: "u_alice", name: "alice" },
          text: "mine",
          ts: 2,
          clientMsgId: "c2",
          rev: 2,
        },
      ],
      complete: true,
    });
    expect(await backend.messages.append({ room: "r", actor: bob, clientMsgId: "c1", kind: "chat", text: "again" })).toMatchObject({
      ok: true,
      ack: { room: "r", seq: 1, ts: 1 },
      duplicate: true,
    });
    expect(await backend.memberships.list("u_alice")).toEqual([
      { room: "r", latestSeq: 2, readSeq: 0, unread: 1, unreadMentions: 0, notify: "mentions" },
    ]);
    const edit = await backend.messages.append({ room: "r", actor: bob, clientMsgId: "e1", kind: "edit", target: 1, text: "newer" });
    expect(edit).toMatchObject({ ok: true, ack: { seq: 3 } });
  });

  it("deleted means gone: after a checkpoint, neither the text nor its edits are anywhere in the file", async () => {
    dir = tempDir();
    const backend = openBackend(dir.path);
    const alice = { id: "u_alice", name: "alice" };
    const marker = randomBytes(8).toString("hex");
    const secret = `first draft ${marker}-deleted`;
    const edited = `second draft ${marker}-edited`;
    const kept = `kept ${marker}-kept`;
    const append = (clientMsgId: string, change: ChangeKind) =>
      backend.messages.append({ room: "r", actor: alice, clientMsgId, ...change });
    await append("c1", { kind: "chat", text: secret });
    await append("c2", { kind: "chat", text: kept, replyTo: 1 });
    await append("e1", { kind: "edit", target: 1, text: edited });
    await append("r1", { kind: "react", target: 1, emoji: "👀", on: true });
    // Checkpointed while the text is there, so the file held it before the delete.
    const db = new Database(backend.file);
    try {
      db.pragma("wal_checkpoint(TRUNCATE)");
      expect(readFileSync(backend.file).includes(edited)).toBe(true);
      expect(await append("d1", { kind: "delete", target: 1 })).toMatchObject({ ok: true });
      expect(db.pragma("wal_checkpoint(TRUNCATE)")).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    } finally {
      db.close();
    }
    const file = readFileSync(backend.file);
    expect(file.includes(kept), "a text that was not deleted is found, so the search works").toBe(true);
    expect(file.includes(`${marker}-deleted`)).toBe(false);
    expect(file.includes(`${marker}-edited`)).toBe(false);
    // TRUNCATE left the write-ahead log empty: nothing of before the delete waits there either.
    expect(readFileSync(`${backend.file}-wal`).length).toBe(0);
    // Nor does any read return it.
    const everything = await backend.messages.range("r", { after: 0, upTo: 10, limit: 10 });
    expect(JSON.stringify(everything)).not.toContain(`${marker}-deleted`);
    expect(JSON.stringify(everything)).not.toContain(`${marker}-edited`);
  });

  it("refuses a file from a newer schema with a clear StoreError", async () => {
    dir = tempDir();
    const db = new Database(join(dir.path, "chat.db"));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    const error = openError(dir.path);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/newer than this server/);
  });

  it("fails to open a corrupt file with a StoreError naming the file, and leaves the file alone", async () => {
    dir = tempDir();
    const file = join(dir.path, "chat.db");
    const garbage = Buffer.alloc(8192, 0x5a);
    garbage.write("this is not a database", 0);
    writeFileSync(file, garbage);
    const error = openError(dir.path);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(file);
    expect((error as Error).message).toMatch(/not a database|corrupt|malformed/i);
    expect(readFileSync(file).equals(garbage)).toBe(true);
  });

  it("fails to open a database whose pages were damaged", async () => {
    dir = tempDir();
    const backend = openBackend(dir.path);
    for (let i = 0; i < 200; i++)
      await backend.messages.append({
        room: "r",
        actor: { id: "u", name: "n" },
        kind: "chat",
        text: "x".repeat(200),
        clientMsgId: `c${i}`,
      });
    await backend.close();
    open.splice(0);
    const file = join(dir.path, "chat.db");
    const fd = openSync(file, "r+");
    // Keep the header (page 1) and smash the pages behind it.
    writeSync(fd, Buffer.alloc(4096 * 4, 0xff), 0, 4096 * 4, 4096);
    closeSync(fd);
    const error = openError(dir.path);
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toContain(file);
  });

  it("fails clearly when DATA_DIR is not a writable directory", () => {
    dir = tempDir();
    const notADir = join(dir.path, "plain-file");
    writeFileSync(notADir, "x");
    const error = openError(join(notADir, "data"));
    expect(error).toBeInstanceOf(StoreError);
    expect((error as Error).message).toMatch(/DATA_DIR .*plain-file.* is not a writable directory/);
  });
});

describe("group commit", () => {
  function table() {
    dir = tempDir();
    const db = new Database(join(dir.path, "commit.db"));
    db.exec("CREATE TABLE t (k TEXT PRIMARY KEY)");
    const insert = db.prepare<[string]>("INSERT INTO t (k) VALUES (?)");
    const rows = () =>
      db
        .prepare<[], { k: string }>("SELECT k FROM t ORDER BY k")
        .all()
        .map((row) => row.k);
    return { db, commit: new GroupCommit(db), insert: (k: string) => () => insert.run(k).changes, rows };
  }

  it("an isolated write that fails fails alone: the rest of its tick commits (memberships never cost a tick of chats)", async () => {
    const { db, commit, insert, rows } = table();
    try {
      await commit.submit(insert("taken"));
      const results = await Promise.allSettled([
        commit.submit(insert("chat-1")),
        commit.submitIsolated(insert("taken")),
        commit.submit(insert("chat-2")),
      ]);
      expect(results.map((result) => result.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
      expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: "SQLITE_CONSTRAINT_PRIMARYKEY" });
      expect(rows()).toEqual(["chat-1", "chat-2", "taken"]);
    } finally {
      db.close();
    }
  });

  it("a plain write that fails rolls its whole tick back, isolated writes included", async () => {
    const { db, commit, insert, rows } = table();
    try {
      await commit.submit(insert("taken"));
      const results = await Promise.allSettled([
        commit.submitIsolated(insert("membership")),
        commit.submit(insert("taken")),
        commit.submit(insert("chat")),
      ]);
      expect(results.map((result) => result.status)).toEqual(["rejected", "rejected", "rejected"]);
      expect(rows()).toEqual(["taken"]);
    } finally {
      db.close();
    }
  });
});
