import type pg from "pg";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { migrate, PG_MIGRATIONS, type PgMigration } from "../../src/backend/postgres/migrate";
import { createPgPool } from "../../src/backend/postgres/pool";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";

/** Every released migration's version, in order, and the newest. */
const ALL = PG_MIGRATIONS.map((migration) => migration.version);
const LATEST = Math.max(...ALL);

describe("PostgreSQL schema migrations", () => {
  let server: PostgresProcess;
  const pools: pg.Pool[] = [];
  let databases = 0;

  beforeAll(async () => {
    server = await startPostgres({ database: "migrate_test" });
  }, 60_000);
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
  });
  afterAll(() => server?.stop());

  /** A fresh database per test, and a pool on it for each runner the test plays. */
  async function freshDatabase(runners = 1): Promise<pg.Pool[]> {
    const name = `migrate_${++databases}`;
    await server.psql(`CREATE DATABASE ${name}`);
    const url = server.url.replace(/\/[^/]*$/, `/${name}`);
    const made = Array.from({ length: runners }, () => createPgPool(url, { max: 2 }));
    pools.push(...made);
    return made;
  }

  const versions = async (pool: pg.Pool) =>
    (await pool.query<{ version: number }>("SELECT version FROM schema_migrations ORDER BY version")).rows.map((row) => row.version);

  it("applies every migration once, and a second run changes nothing", async () => {
    const [pool] = await freshDatabase();
    if (!pool) throw new Error("no pool");
    expect(await migrate(pool)).toEqual({ applied: ALL, version: LATEST });
    expect(await migrate(pool)).toEqual({ applied: [], version: LATEST });
    expect(await versions(pool)).toEqual(ALL);
    const tables = await pool.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name",
    );
    expect(tables.rows.map((row) => row.table_name)).toEqual([
      "chats",
      "events",
      "memberships",
      "reactions",
      "room_access",
      "rooms",
      "schema_migrations",
      "search_backlog",
      "search_docs",
      "sends",
      "sessions",
      "settings",
      "slow_mode_chats",
      "store_copy",
    ]);
  });

  it("lets two nodes start at once: both succeed and each migration runs once", async () => {
    const runners = await freshDatabase(2);
    // The slow step keeps the first runner inside its transaction while the second arrives; its
    // CREATE TABLE without IF NOT EXISTS would fail the second runner if it ran twice.
    const withSlow: PgMigration[] = [
      ...PG_MIGRATIONS,
      { version: LATEST + 1, name: "slow", sql: "SELECT pg_sleep(0.3); CREATE TABLE slow_marker (n integer)" },
    ];
    const results = await Promise.all(runners.map((pool) => migrate(pool, withSlow)));
    expect(results.flatMap((result) => result.applied).sort((a, b) => a - b)).toEqual([...ALL, LATEST + 1]);
    expect(results.map((result) => result.version)).toEqual([LATEST + 1, LATEST + 1]);
    const [pool] = runners;
    if (!pool) throw new Error("no pool");
    expect(await versions(pool)).toEqual([...ALL, LATEST + 1]);
  });

  it("rolls back a failing migration alone, keeping the ones before it", async () => {
    const [pool] = await freshDatabase();
    if (!pool) throw new Error("no pool");
    const broken: PgMigration[] = [
      ...PG_MIGRATIONS,
      { version: LATEST + 1, name: "broken", sql: "CREATE TABLE half_done (n integer); SELECT no_such_function()" },
    ];
    await expect(migrate(pool, broken)).rejects.toThrow(/no_such_function/);
    expect(await versions(pool)).toEqual(ALL);
    const halfDone = await pool.query("SELECT to_regclass('half_done') AS t");
    expect(halfDone.rows[0]).toEqual({ t: null });
  });

  it("applies a version missing below the newest (branches released in another order)", async () => {
    const [pool] = await freshDatabase();
    if (!pool) throw new Error("no pool");
    const [first, second, ...rest] = PG_MIGRATIONS;
    if (!first || !second) throw new Error("needs two migrations");
    await migrate(pool, [first, ...rest]);
    expect(await versions(pool)).toEqual([first.version, ...rest.map((migration) => migration.version)]);
    expect((await migrate(pool)).applied).toEqual([second.version]);
    expect(await versions(pool)).toEqual(ALL);
  });

  it("refuses a database newer than the server", async () => {
    const [pool] = await freshDatabase();
    if (!pool) throw new Error("no pool");
    await migrate(pool, [...PG_MIGRATIONS, { version: LATEST + 1, name: "future", sql: "SELECT 1" }]);
    await expect(migrate(pool)).rejects.toThrow(`schema version ${LATEST + 1}, newer than this server's ${LATEST}`);
  });
});
