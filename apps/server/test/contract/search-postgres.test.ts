import { afterAll, beforeAll } from "vitest";
import { PgMessageSearch } from "../../src/backend/postgres/message-search";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { describeSearchContract } from "./search/search-contract";

// One PostgreSQL for the file; each test starts from empty tables.
let server: PostgresProcess;
beforeAll(async () => {
  server = await startPostgres({ database: "search_contract" });
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

/**
 * The search contract on the real PgBackend: its ticks write the search index in their
 * transaction (`beforeCommit` -> writeSearchDocs), its `search` is PgMessageSearch. Once with the
 * default bounds, once with windows of 2 and 5 chats (pages go through every step). PostgreSQL's
 * `text` cannot hold U+0000 (`textHoldsNul: false`).
 */
for (const [name, bounds] of [
  ["postgres", {}],
  ["postgres, windows of 2 and 5 chats", { quickMax: 2, scanMax: 5 }],
] as const) {
  describeSearchContract(name, async ({ now }) => {
    const backend = await PgBackend.open({
      nodeId: "node-pg",
      url: server.url,
      now,
      poolMax: 4,
      search: (pool) => new PgMessageSearch({ pool, ...bounds }),
    });
    await emptyDatabase(server.url);
    return { backend, textHoldsNul: false, cleanup: () => backend.close() };
  });
}
