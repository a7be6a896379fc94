import { spawn } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/backend/postgres/migrate";
import { createPgPool } from "../../src/backend/postgres/pool";
import { COPIED_TABLES, runStoreCopy, unfinishedStoreCopy } from "../../src/backend/postgres/store-copy/store-copy";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { FakeClock } from "../support/fake-clock";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { REPO_ROOT } from "../support/server-process";
import { fillSqliteStore } from "../support/sqlite-store-fixture";
import { type TempDir, tempDir } from "../support/temp-dir";
import { waitUntil } from "../support/wait-until";

/** Small batches, so every table of the fixture spans several and a stop lands mid-table. */
const BATCH = 7;
const CLI_ENTRY = "apps/server/src/cli/migrate-store.ts";
/** Given in DATABASE_URL to check that no output shows it (the test server trusts loopback, whatever the password). */
const PASSWORD = "s3cret-pw-never-printed";

describe("migrate-store: SQLite into PostgreSQL", () => {
  let server: PostgresProcess;
  let databases = 0;
  const cleanups: Array<() => unknown> = [];

  beforeAll(async () => {
    server = await startPostgres({ database: "migrate_store_test" });
  }, 60_000);
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  afterAll(() => server?.stop());

  /**
   * An empty database per test, with ICU's English collation (Debian's PostgreSQL has ICU), so
   * PostgreSQL's text order differs from SQLite's byte order ("a-room" < "B-room" there, the other
   * way in bytes) and a resume that compared keys in PostgreSQL would skip or repeat rows.
   */
  async function freshDatabase(): Promise<{ url: string; pool: pg.Pool; name: string }> {
    const name = `target_${++databases}`;
    await server.psql(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en'`);
    const url = server.url.replace(/\/[^/]*$/, `/${name}`);
    const pool = createPgPool(url, { max: 2 });
    cleanups.push(() => pool.end());
    return { url, pool, name };
  }

  /** The store's clock: the fixture moves it a second per chat, so times are spread and reproducible. */
  const clock = () => {
    const fake = new FakeClock();
    return { now: () => fake.now(), advance: (ms: number) => fake.advance(ms) };
  };

  /** A data dir holding a chat.db with every kind of data, written through SqliteBackend and closed. */
  async function filledStore(options: { chatsPerRoom?: number } = {}): Promise<TempDir> {
    const dir = tempDir("chatroom-migrate-");
    cleanups.push(() => dir.remove());
    const time = clock();
    const backend = SqliteBackend.open({ nodeId: "n1", dataDir: dir.path, now: time.now, search: { indexer: "manual" } });
    try {
      await fillSqliteStore(backend, time, options);
    } finally {
      await backend.close();
    }
    return dir;
  }

  /** A row with its columns in name order and integers as numbers, so both sides compare as plain values. */
  const normal = (row: Record<string, unknown>) =>
    JSON.stringify(
      Object.fromEntries(
        Object.keys(row)
          .sort()
          .map((key) => [key, typeof row[key] === "bigint" ? Number(row[key]) : row[key]]),
      ),
    );

  /** Every row of every copied table on both sides, each side sorted the same way (independent of the command's own digest). */
  async function bothSides(dataDir: string, pool: pg.Pool) {
    const db = new Database(join(dataDir, "chat.db"), { readonly: true });
    try {
      const sides: Record<string, { sqlite: string[]; postgres: string[] }> = {};
      for (const table of COPIED_TABLES) {
        const sqlite = (db.prepare(`SELECT * FROM ${table}`).all() as Array<Record<string, unknown>>).map(normal).sort();
        const postgres = (await pool.query(`SELECT * FROM ${table}`)).rows.map(normal).sort();
        sides[table] = { sqlite, postgres };
      }
      const latest = db.prepare("SELECT room, max(seq) AS seq FROM events GROUP BY room ORDER BY room").all() as Array<{
        room: string;
        seq: number;
      }>;
      return { sides, latest };
    } finally {
      db.close();
    }
  }

  async function expectSameStore(dataDir: string, pool: pg.Pool): Promise<void> {
    const { sides, latest } = await bothSides(dataDir, pool);
    for (const [table, side] of Object.entries(sides)) {
      expect(side.postgres, `table ${table}`).toEqual(side.sqlite);
    }
    const rooms = (await pool.query<{ room: string; seq: number }>("SELECT room, seq FROM rooms")).rows;
    expect(new Map(rooms.map((row) => [row.room, row.seq]))).toEqual(new Map(latest.map((row) => [row.room, row.seq])));
  }

  it("copies every table row for row, sets each room's seq counter, verifies; a second run copies nothing", async () => {
    const store = await filledStore();
    const { url, pool } = await freshDatabase();
    const lines: string[] = [];
    const first = await runStoreCopy({ dataDir: store.path, databaseUrl: url, batchSize: BATCH, print: (line) => lines.push(line) });
    await expectSameStore(store.path, pool);
    const { sides } = await bothSides(store.path, pool);
    // Every kind of data made it (the fixture is not vacuous) and the search tables did not.
    for (const table of COPIED_TABLES) expect(sides[table]?.sqlite.length, table).toBeGreaterThan(0);
    const kinds = await pool.query<{ kind: string; n: number }>("SELECT kind, count(*)::int AS n FROM events GROUP BY kind ORDER BY kind");
    expect(kinds.rows.map((row) => row.kind)).toEqual(["chat", "delete", "edit", "moderation", "reaction"]);
    const accessKinds = await pool.query<{ kind: string }>("SELECT DISTINCT kind FROM room_access ORDER BY kind");
    expect(accessKinds.rows.length).toBeGreaterThanOrEqual(5);
    // SQLite's search tables are not copied; PostgreSQL's index is built from the copied chats, one row per chat with text.
    const indexed = await pool.query<{ docs: number; texts: number }>(
      "SELECT (SELECT count(*)::int FROM search_docs) AS docs, (SELECT count(*)::int FROM chats WHERE text IS NOT NULL) AS texts",
    );
    expect(indexed.rows[0]?.docs).toBe(indexed.rows[0]?.texts);
    expect(indexed.rows[0]?.docs).toBeGreaterThan(0);
    const report = lines.join("\n");
    expect(report).toMatch(/^table\s+sqlite rows\s+postgres rows\s+copied now\s+rows equal$/m);
    expect(report).toMatch(
      new RegExp(
        `^events\\s+${sides.events?.sqlite.length}\\s+${sides.events?.sqlite.length}\\s+${sides.events?.sqlite.length}\\s+yes$`,
        "m",
      ),
    );
    expect(report).toMatch(/^rooms \(last seq\)\s+5\s+5\s+yes$/m);
    expect([...first.copied.values()].reduce((sum, table) => sum + table.rows, 0)).toBe(
      Object.values(sides).reduce((sum, side) => sum + side.sqlite.length, 0),
    );

    const again = await runStoreCopy({ dataDir: store.path, databaseUrl: url, batchSize: BATCH, print: () => undefined });
    expect([...again.copied.values()].every((table) => table.rows === 0)).toBe(true);
    await expectSameStore(store.path, pool);
  }, 60_000);

  it("a run stopped after some batches resumes where it stopped: the same result, no row copied twice", async () => {
    const store = await filledStore();
    const { url, pool } = await freshDatabase();
    // The premise: PostgreSQL orders the fixture's rooms unlike SQLite.
    expect((await pool.query("SELECT 'B-room' < 'a-room' AS bytewise")).rows[0]).toEqual({ bytewise: false });
    const stop = new Error("stopped by the test after 9 batches");
    let batches = 0;
    await expect(
      runStoreCopy({
        dataDir: store.path,
        databaseUrl: url,
        batchSize: BATCH,
        print: () => undefined,
        afterBatch: () => {
          if (++batches === 9) throw stop;
        },
      }),
    ).rejects.toBe(stop);
    // Mid-table: events (the first table) has more than 9 batches in the fixture.
    const partial = await pool.query<{ table_name: string; copied_rows: number; done: boolean }>(
      "SELECT table_name, copied_rows, done FROM store_copy",
    );
    expect(partial.rows).toEqual([{ table_name: "events", copied_rows: 9 * BATCH, done: false }]);
    expect((await pool.query("SELECT count(*)::int AS n FROM events")).rows[0]).toEqual({ n: 9 * BATCH });
    expect(await unfinishedStoreCopy(pool)).toEqual(["events"]);

    const resumed = await runStoreCopy({ dataDir: store.path, databaseUrl: url, batchSize: BATCH, print: () => undefined });
    expect(resumed.copied.get("events")).toMatchObject({ resumedAt: 9 * BATCH });
    await expectSameStore(store.path, pool);
    const { sides } = await bothSides(store.path, pool);
    const total = Object.values(sides).reduce((sum, side) => sum + side.sqlite.length, 0);
    // The second run inserted exactly what the first had not: nothing twice, nothing skipped.
    expect([...resumed.copied.values()].reduce((sum, table) => sum + table.rows, 0)).toBe(total - 9 * BATCH);
    expect(await unfinishedStoreCopy(pool)).toEqual([]);
    const progress = await pool.query<{ n: number }>("SELECT sum(copied_rows)::int AS n FROM store_copy WHERE done");
    expect(progress.rows[0]).toEqual({ n: total });
  }, 60_000);

  it("copies a text holding U+0000, which PostgreSQL's text cannot hold, with U+FFFD in its place, and says so", async () => {
    const dir = tempDir("chatroom-migrate-nul-");
    cleanups.push(() => dir.remove());
    const backend = SqliteBackend.open({ nodeId: "n1", dataDir: dir.path, search: { indexer: "manual" } });
    const sent = await backend.messages.append({
      room: "nul",
      actor: { id: "u_1", name: "ann" },
      clientMsgId: "c-1",
      kind: "chat",
      text: "a\u0000b",
    });
    await backend.close();
    expect(sent).toMatchObject({ ok: true });
    const { url, pool } = await freshDatabase();
    const lines: string[] = [];
    await runStoreCopy({ dataDir: dir.path, databaseUrl: url, print: (line) => lines.push(line) });
    expect((await pool.query("SELECT text FROM chats WHERE room = 'nul'")).rows).toEqual([{ text: "a\uFFFDb" }]);
    expect(lines).toContain("chats: 1 values hold U+0000, which PostgreSQL's text cannot: copied with U+FFFD in its place");
  }, 60_000);

  /** Runs `pnpm migrate-store`'s command line as a real child process, with only the env given. */
  function spawnCli(args: string[], env: Record<string, string>) {
    const child = spawn(process.execPath, ["--import", "tsx", CLI_ENTRY, ...args], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) =>
      child.on("exit", (code, signal) => resolve({ code, signal, stdout, stderr })),
    );
    return { child, exited };
  }
  const runCli = (args: string[], env: Record<string, string>) => spawnCli(args, env).exited;
  const COPY = ["--from", "sqlite", "--to", "postgres"];

  /** The test server trusts loopback, so any password works: one is given to check it never shows. */
  const withPassword = (url: string) => url.replace("postgres://chatroom@", `postgres://chatroom:${PASSWORD}@`);

  it("the command line copies and verifies, never showing the URL's password; then a tampered copy fails verification", async () => {
    const store = await filledStore();
    const { url, pool } = await freshDatabase();
    const env = { DATABASE_URL: withPassword(url), DATA_DIR: store.path };
    const run = await runCli([...COPY, "--batch-size", "50"], env);
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^rooms \(last seq\)\s+5\s+5\s+yes$/m);
    expect(run.stdout).toContain("Copied and verified.");
    expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    await expectSameStore(store.path, pool);

    // One row fewer, one value changed (same count), one counter ahead of its room's events.
    await pool.query("DELETE FROM reactions WHERE ctid = (SELECT min(ctid) FROM reactions)");
    await pool.query("UPDATE sessions SET name = 'mallory' WHERE token = 'session-bob'");
    await pool.query("UPDATE rooms SET seq = seq + 5 WHERE room = 'a-room'");
    const tampered = await runCli(COPY, env);
    expect(tampered.code).toBe(3);
    expect(tampered.stdout).toMatch(/^reactions\s+(\d+)\s+(\d+)\s+0\s+NO$/m);
    expect(tampered.stderr).toMatch(/verification failed: reactions: SQLite has (\d+) rows, PostgreSQL (\d+)/);
    expect(tampered.stderr).toContain("sessions: the same number of rows (3) but not the same rows");
    expect(tampered.stderr).toMatch(/the last seq differs in 1 rooms: "a-room" \(sqlite (\d+), events \1, rooms.seq (\d+)\)/);
    expect(tampered.stdout + tampered.stderr).not.toContain(PASSWORD);
  }, 90_000);

  it("says what to do: no DATABASE_URL, a URL on the command line, no chat.db, a target holding other data", async () => {
    const store = await filledStore({ chatsPerRoom: 3 });
    const { url, pool } = await freshDatabase();
    const noUrl = await runCli(COPY, { DATA_DIR: store.path });
    expect(noUrl.code).toBe(2);
    expect(noUrl.stderr).toContain("DATABASE_URL is not set: set it to the PostgreSQL database to copy into");

    const onCommandLine = await runCli([...COPY, `--database-url=${withPassword(url)}`], { DATA_DIR: store.path });
    expect(onCommandLine.code).toBe(2);
    expect(onCommandLine.stderr).toContain("no URL on the command line");
    expect(onCommandLine.stdout + onCommandLine.stderr).not.toContain(PASSWORD);

    const wrongDirection = await runCli(["--from", "postgres", "--to", "sqlite"], { DATABASE_URL: url, DATA_DIR: store.path });
    expect(wrongDirection.code).toBe(2);
    expect(wrongDirection.stderr).toContain("--from sqlite --to postgres");

    const empty = tempDir("chatroom-migrate-empty-");
    cleanups.push(() => empty.remove());
    const noStore = await runCli([...COPY, "--data-dir", empty.path], { DATABASE_URL: withPassword(url) });
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain(`no SQLite store at ${join(empty.path, "chat.db")}: point --data-dir (or DATA_DIR) at`);

    // A database a server has already used: its rows would be mixed with the store's.
    await migrate(pool);
    await pool.query("INSERT INTO rooms (room, seq) VALUES ('lobby', 3)");
    const used = await runCli(COPY, { DATABASE_URL: withPassword(url), DATA_DIR: store.path });
    expect(used.code).toBe(2);
    expect(used.stderr).toContain("the database in DATABASE_URL already holds data that migrate-store did not copy there: rooms (1 rows)");
    expect(used.stderr).toContain("nothing was changed");
    expect((await pool.query("SELECT count(*)::int AS n FROM events")).rows[0]).toEqual({ n: 0 });
  }, 90_000);

  it("copies a running node as a consistent snapshot and says to stop it; the final pass after it stops copies what changed", async () => {
    const dir = tempDir("chatroom-migrate-live-");
    cleanups.push(() => dir.remove());
    const time = clock();
    const backend = SqliteBackend.open({ nodeId: "n1", dataDir: dir.path, now: time.now, search: { indexer: "manual" } });
    cleanups.push(() => backend.close());
    await fillSqliteStore(backend, time, { chatsPerRoom: 4 });
    const { url, pool } = await freshDatabase();
    const env = { DATABASE_URL: url, DATA_DIR: dir.path };

    const live = await runCli(COPY, env);
    expect(live, live.stderr).toMatchObject({ code: 0 });
    expect(live.stdout).toContain(`${join(dir.path, "chat.db")} is open by process ${process.pid}: copying a consistent snapshot`);
    expect(live.stdout).toContain("The node was running: this was not the final pass. Stop it, then run migrate-store again.");

    // The node goes on: a chat (by the owner: slow mode is on for members), a read marker, a renamed session; then it stops.
    const chat = await backend.messages.append({
      room: "a-room",
      actor: { id: "u_owner", name: "olga" },
      clientMsgId: "late-1",
      kind: "chat",
      text: "after the first pass",
    });
    if (!chat.ok) throw new Error(`the late chat was refused: ${chat.code}`);
    await backend.memberships.markRead("u_bob", "a-room", chat.ack.seq);
    await backend.sessions.save("session-bob", { userId: "u_bob", name: "bob, renamed" });
    await backend.close();

    const final = await runCli(COPY, env);
    expect(final, final.stderr).toMatchObject({ code: 0 });
    expect(final.stdout).not.toContain("is open by");
    for (const table of ["events", "chats", "sends", "memberships", "sessions"]) {
      expect(final.stdout).toMatch(
        new RegExp(`^${table}: changed in SQLite since the last run \\(\\d+ rows then, \\d+ now\\): copying it again$`, "m"),
      );
    }
    expect(final.stdout).toContain("settings: copied by an earlier run, unchanged since");
    await expectSameStore(dir.path, pool);
    expect((await pool.query("SELECT seq FROM rooms WHERE room = 'a-room'")).rows[0]).toEqual({ seq: chat.ack.seq });
  }, 90_000);

  it("a copy killed with SIGKILL part-way is finished by the next run, nothing doubled", async () => {
    const store = await filledStore({ chatsPerRoom: 40 });
    const { url, pool } = await freshDatabase();
    const env = { DATABASE_URL: url, DATA_DIR: store.path };
    // Two rows per batch: hundreds of commits, so the kill lands long before the end.
    const killed = spawnCli([...COPY, "--batch-size", "2"], env);
    await waitUntil(
      async () => ((await pool.query<{ n: number }>("SELECT sum(copied_rows)::int AS n FROM store_copy")).rows[0]?.n ?? 0) >= 20,
      { what: "the first batches to commit", timeoutMs: 60_000 },
    );
    killed.child.kill("SIGKILL");
    expect(await killed.exited).toMatchObject({ signal: "SIGKILL" });
    const done = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM store_copy WHERE done");
    expect(done.rows[0]?.n).toBeLessThan(COPIED_TABLES.length);

    const resumed = await runCli(COPY, env);
    expect(resumed, resumed.stderr).toMatchObject({ code: 0 });
    expect(resumed.stdout).toMatch(/rows copied after the \d+ an earlier run copied$/m);
    await expectSameStore(store.path, pool);
  }, 120_000);
});
