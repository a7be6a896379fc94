import type pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { migrate } from "../../src/backend/postgres/migrate";
import { createPgPool } from "../../src/backend/postgres/pool";
import { type PostgresProcess, startPostgres } from "./postgres-process";

export interface PgNodes {
  /** This file's PostgreSQL (started and migrated before its tests). */
  readonly server: PostgresProcess;
  /** Two pools on the one database, as two nodes would hold: a race between them is a race between nodes. */
  readonly pools: readonly [pg.Pool, pg.Pool];
  /** Empties the tables, for a test that needs them so (faster than a database per test). */
  truncate(...tables: string[]): Promise<void>;
}

/**
 * The setup of a file whose tests run stores of two nodes on one PostgreSQL: the server and its
 * migrated database for the file, two pools, all closed after it. Call inside a `describe` that is
 * skipped when `postgresUnavailable()` says why it cannot run.
 */
export function usePgNodes(database: string): PgNodes {
  let server: PostgresProcess | undefined;
  let pools: [pg.Pool, pg.Pool] | undefined;
  beforeAll(async () => {
    server = await startPostgres({ database });
    pools = [createPgPool(server.url, { max: 5 }), createPgPool(server.url, { max: 5 })];
    await migrate(pools[0]);
  }, 60_000);
  afterAll(async () => {
    await Promise.all((pools ?? []).map((pool) => pool.end()));
    await server?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("this file's PostgreSQL starts in beforeAll: use it inside a test");
    return value;
  };
  return {
    get server() {
      return started(server);
    },
    get pools() {
      return started(pools);
    },
    async truncate(...tables) {
      // Table names are this file's own constants, never input: identifiers cannot be parameters.
      await started(pools)[0].query(`TRUNCATE ${tables.join(", ")}`);
    },
  };
}
