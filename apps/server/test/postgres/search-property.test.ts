import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import type { MessageSearch } from "../../src/backend/message-search";
import { PgMessageSearch } from "../../src/backend/postgres/message-search";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { expectedHits, parsed, searchAllPages } from "../contract/search/search-oracle";
import { replaySearchScenario, SEARCH_WORDS, searchScenario } from "../contract/search/search-scenario";
import { emptyDatabase } from "../support/empty-database";
import { HELD_INDEXER, inIndexerState, PG_INDEXER_STATES } from "../support/pg-indexer-state";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";

/** The shared corpus, and words full of LIKE's and SQL's own syntax. */
const WORDS = [...SEARCH_WORDS, "50%", "a_b", "ab", "back\\slash", "it's", '"q"', "%_"];
const ROOMS = ["r-a", "r-b", "r1"];
// Infixes too: the trigram index must propose a chat for a term in the middle of a word.
const scenario = searchScenario({
  words: WORDS,
  rooms: ROOMS,
  extraTerms: [fc.constantFrom(...WORDS).map((word) => [...word].slice(1, 4).join(""))],
});

describe("PgMessageSearch returns exactly the memory scan's results", () => {
  let server: PostgresProcess;

  beforeAll(async () => {
    server = await startPostgres({ database: "search_property" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("for random corpora of mixed scripts and LIKE syntax, edits, deletions, queries and scan budgets", async () => {
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
    console.info(
      `fast-check seed ${seed} (replay: FC_SEED=${seed} pnpm exec vitest run apps/server/test/postgres/search-property.test.ts)`,
    );
    const cases = fc.sample(scenario, { seed, numRuns: 20 });
    // The default (every corpus fits one window), and windows so small that pages go through every step.
    // backlogMax: queued chats read per page, so pages end inside the backlog too.
    const BOUNDS = [
      {},
      { quickMax: 1, scanMax: 1, backlogMax: 1 },
      { quickMax: 1, scanMax: 3 },
      { quickMax: 2, scanMax: 5, backlogMax: 3 },
      { quickMax: 5, scanMax: 2 },
    ];
    for (const [run, example] of cases.entries()) {
      let clock = 0;
      const now = () => clock;
      const memory = new MemoryBackend({ nodeId: "node-memory", now });
      // The real PgBackend, its ticks queueing chats for the held indexer; every bound on its pool,
      // each first with every chat in the backlog, then with every chat indexed (the order matters:
      // "indexed" drains the backlog).
      let searches: Array<{ bounds: object; search: MessageSearch }> = [];
      const postgres: PgBackend = await PgBackend.open({
        nodeId: "node-pg",
        url: server.url,
        now,
        poolMax: 4,
        ...HELD_INDEXER,
        search: (pool) => {
          searches = BOUNDS.map((bounds) => ({ bounds, search: new PgMessageSearch({ pool, ...bounds }) }));
          return searches[0]?.search as MessageSearch;
        },
      });
      await emptyDatabase(server.url);
      try {
        const chats = await replaySearchScenario([memory, postgres], example, (ts) => {
          clock = ts;
        });
        for (const state of PG_INDEXER_STATES) {
          for (const q of example.queries) {
            // Each term as a phrase, so LIKE's and SQL's syntax reaches the store; a quote cannot be inside one.
            const phrases = q.terms.map((t) => t.replaceAll('"', "").trim()).filter((t) => t !== "");
            const raw = [...phrases.map((t) => `"${t}"`), ...(q.from ? [`from:${q.from}`] : [])].join(" ") || "from:bob";
            const searchQuery = parsed(raw);
            const context = `seed ${seed}, run ${run}, query ${JSON.stringify(raw)} in ${JSON.stringify(q.rooms)} by ${q.limit}`;
            const fromMemory = await searchAllPages(memory, searchQuery, q.rooms, q.limit);
            expect(fromMemory.hits, context).toEqual(expectedHits(chats, searchQuery, q.rooms));
            for (const { bounds, search } of searches) {
              const pinned = inIndexerState(search, () => postgres.searchIndexer, state);
              const fromPostgres = await searchAllPages({ search: pinned }, searchQuery, q.rooms, q.limit);
              const label = `${context}, ${state}, bounds ${JSON.stringify(bounds)}: ${JSON.stringify(example)}`;
              expect(fromPostgres.hits, label).toEqual(fromMemory.hits);
            }
          }
        }
      } finally {
        await postgres.close();
        await memory.close();
      }
    }
  }, 300_000);
});
