import { spawn } from "node:child_process";
import { join } from "node:path";
import Database from "better-sqlite3";
import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createPgPool } from "../../src/backend/postgres/pool";
import { COPIED_TABLES, runStoreCopy } from "../../src/backend/postgres/store-copy/store-copy";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { type PostgresProcess, postgresUnavailable, startPostgres } from "../support/postgres-process";
import { REPO_ROOT } from "../support/server-process";
import { fillSqliteStore } from "../support/sqlite-store-fixture";
import { type TempDir, tempDir } from "../support/temp-dir";
import { waitUntil } from "../support/wait-until";

const unavailable = postgresUnavailable();
/** Small batches, so every table of the fixture spans several and a stop lands mid-table. */
const BATCH = 7;

describe.skipIf(unavailable !== undefined)("migrate-store: SQLite into PostgreSQL", () => {
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
   * An empty database per test. ICU's English collation where the server has it, so PostgreSQL's
   * text order differs from SQLite's byte order ("a-room" < "B-room" there, the other way in bytes).
   */
  async function freshDatabase(): Promise<{ url: string; pool: pg.Pool; name: string }> {
    const name = `target_${++databases}`;
    await server
      .psql(`CREATE DATABASE ${name} TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C.UTF-8' LOCALE_PROVIDER icu ICU_LOCALE 'en'`)
      .catch(() => server.psql(`CREATE DATABASE ${name}`));
    const url = server.url.replace(/\/[^/]*$/, `/${name}`);
    const pool = createPgPool(url, { max: 2 });
    cleanups.push(() => pool.end());
    return { url, pool, name };
  }

  const clock = () => {
    let now = Date.UTC(2026, 0, 1);
    return { now: () => now, advance: (ms: number) => void (now += ms) };
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
    expect((await pool.query("SELECT to_regclass('search_docs') AS t")).rows[0]).toEqual({ t: null });
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

    const resumed = await runStoreCopy({ dataDir: store.path, databaseUrl: url, batchSize: BATCH, print: () => undefined });
    expect(resumed.copied.get("events")).toMatchObject({ resumedAt: 9 * BATCH });
    await expectSameStore(store.path, pool);
    const { sides } = await bothSides(store.path, pool);
    const total = Object.values(sides).reduce((sum, side) => sum + side.sqlite.length, 0);
    // The second run inserted exactly what the first had not: nothing twice, nothing skipped.
    expect([...resumed.copied.values()].reduce((sum, table) => sum + table.rows, 0)).toBe(total - 9 * BATCH);
    const progress = await pool.query<{ n: number }>("SELECT sum(copied_rows)::int AS n FROM store_copy WHERE done");
    expect(progress.rows[0]).toEqual({ n: total });
  }, 60_000);
});
