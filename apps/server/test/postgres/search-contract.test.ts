import type pg from "pg";
import { afterAll, beforeAll, describe } from "vitest";
import { PgMessageSearch } from "../../src/backend/postgres/message-search";
import { migrate } from "../../src/backend/postgres/migrate";
import { createPgPool } from "../../src/backend/postgres/pool";
import { describeSearchContract } from "../contract/search/search-contract";
import { type PostgresProcess, postgresUnavailable, startPostgres } from "../support/postgres-process";
import { clearSearchTables, SearchTestStore } from "./search-harness";

const unavailable = postgresUnavailable();

/**
 * The search contract on PostgreSQL, through `SearchTestStore` (chats rows and writeSearchDocs in
 * one transaction per append) until PgBackend exists: with the default bounds (every contract
 * room fits one window), and with windows of 2 and 5 chats, so pages go through every step: the
 * quick window, the whole-range candidates, the wide window and its `next`. `text` cannot hold U+0000, so
 * the hostile chat is stored without it (the message store must refuse or encode a NUL).
 */
describe.skipIf(unavailable !== undefined)("PgMessageSearch", () => {
  let server: PostgresProcess;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await startPostgres({ database: "search_contract" });
    pool = createPgPool(server.url, { max: 4 });
    await migrate(pool);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  for (const [name, bounds] of [
    ["postgres", {}],
    ["postgres, windows of 2 and 5 chats", { quickMax: 2, scanMax: 5 }],
  ] as const) {
    describeSearchContract(name, async ({ now }) => {
      await clearSearchTables(pool);
      const store = new SearchTestStore(pool, now);
      return { backend: store.backend(new PgMessageSearch({ pool, ...bounds })), cleanup: async () => undefined, textHoldsNul: false };
    });
  }
});
