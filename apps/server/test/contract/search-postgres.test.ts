import { afterAll, beforeAll, expect } from "vitest";
import { PgMessageSearch } from "../../src/backend/postgres/message-search";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { emptyDatabase } from "../support/empty-database";
import { HELD_INDEXER, inIndexerState, PG_INDEXER_STATES } from "../support/pg-indexer-state";
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
 * The search contract on the real PgBackend: its ticks queue the chats they change (migration
 * 4's backlog), its `search` is PgMessageSearch, reading the index and the backlog. With the
 * indexer held, in both states: every chat still queued, and every chat indexed before each
 * search; once with the default bounds, once with windows of 2 and 5 chats (pages go through
 * every step). And once as it runs, the indexer draining after commits while the suite searches.
 * PostgreSQL's `text` cannot hold U+0000 (`textHoldsNul: false`).
 */
const SUBJECTS = [
  ...PG_INDEXER_STATES.flatMap((state) =>
    (
      [
        ["", {}],
        [", windows of 2 and 5 chats, backlog reads of 2", { quickMax: 2, scanMax: 5, backlogMax: 2 }],
      ] as const
    ).map(([label, bounds]) => ({ name: `postgres, ${state}${label}`, state, bounds, held: true })),
  ),
  { name: "postgres, indexer running", state: "backlog" as const, bounds: {}, held: false },
];

for (const { name, state, bounds, held } of SUBJECTS) {
  describeSearchContract(name, async ({ now }) => {
    const backend: PgBackend = await PgBackend.open({
      nodeId: "node-pg",
      url: server.url,
      now,
      poolMax: 4,
      ...(held ? HELD_INDEXER : {}),
      search: (pool) => inIndexerState(new PgMessageSearch({ pool, ...bounds }), () => backend.searchIndexer, state),
    });
    await emptyDatabase(server.url);
    const cleanup = async () => {
      await backend.close();
      // The held backlog state really searched the backlog alone: nothing reached the index.
      if (held && state === "backlog") expect(await server.psql("SELECT count(*) FROM search_docs")).toBe("0");
    };
    return { backend, textHoldsNul: false, cleanup };
  });
}
