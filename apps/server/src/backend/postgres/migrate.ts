import type pg from "pg";
import { INITIAL_MIGRATION } from "./migrations/001-initial";
import { SEARCH_MIGRATION } from "./migrations/002-search";
import { STORE_COPY_MIGRATION } from "./migrations/003-store-copy";
import { SEARCH_BACKLOG_MIGRATION } from "./migrations/004-search-backlog";

export interface PgMigration {
  version: number;
  name: string;
  sql: string;
}

/** In order; a migration is never edited once released, only followed by another. */
export const PG_MIGRATIONS: readonly PgMigration[] = [
  { version: 1, name: "initial", sql: INITIAL_MIGRATION },
  { version: 2, name: "search", sql: SEARCH_MIGRATION },
  { version: 3, name: "store-copy", sql: STORE_COPY_MIGRATION },
  { version: 4, name: "search-backlog", sql: SEARCH_BACKLOG_MIGRATION },
];

/**
 * The advisory lock every runner takes before it reads or writes `schema_migrations`: two nodes
 * starting at once queue on it, so each migration is applied exactly once. A transaction-level
 * lock, so a runner that dies mid-way (or whose connection drops) releases it with its rollback.
 * The number is arbitrary but fixed: 'chat' in ASCII.
 */
export const MIGRATION_LOCK_KEY = 0x63686174;

const SCHEMA_MIGRATIONS = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

export interface MigrateResult {
  /** The versions this run applied, in order; empty when the schema was up to date. */
  applied: number[];
  /** The schema's version afterwards. */
  version: number;
}

/**
 * Brings the database up to the newest migration, at start-up, before the store serves anything.
 * Each migration runs in its own transaction with its `schema_migrations` row, under
 * `MIGRATION_LOCK_KEY`: a failure rolls back that migration alone and leaves the ones before it
 * applied; a runner that waited on the lock sees what the other applied and skips it. A database
 * newer than this server (a version it does not know) is refused, as on SQLite.
 */
export async function migrate(pool: pg.Pool, migrations: readonly PgMigration[] = PG_MIGRATIONS): Promise<MigrateResult> {
  const client = await pool.connect();
  const applied: number[] = [];
  try {
    const known = Math.max(0, ...migrations.map((migration) => migration.version));
    // The first transaction only makes the table and checks the version; it holds the lock too,
    // since CREATE TABLE IF NOT EXISTS is not safe against a concurrent one.
    const current = await inLockedTransaction(client, async () => {
      await client.query(SCHEMA_MIGRATIONS);
      return currentVersion(client);
    });
    if (current > known) {
      throw new Error(`the database has schema version ${current}, newer than this server's ${known}; upgrade the server`);
    }
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      // Every version not applied yet, not only those above the newest: a database that got 1 and 3
      // from branches merged in another order still gets 2.
      const ran = await inLockedTransaction(client, async () => {
        // Another node may have applied it while this one waited on the lock.
        const done = await client.query("SELECT 1 FROM schema_migrations WHERE version = $1", [migration.version]);
        if (done.rowCount) return false;
        await client.query(migration.sql);
        await client.query("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", [migration.version, migration.name]);
        return true;
      });
      if (ran) applied.push(migration.version);
    }
    return { applied, version: Math.max(current, known) };
  } finally {
    client.release();
  }
}

async function currentVersion(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ version: number | null }>("SELECT max(version) AS version FROM schema_migrations");
  return rows[0]?.version ?? 0;
}

async function inLockedTransaction<T>(client: pg.PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    await client.query("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK_KEY]);
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}
