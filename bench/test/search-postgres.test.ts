import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../apps/server/src/backend/postgres/migrate";
import { createPgPool } from "../../apps/server/src/backend/postgres/pool";
import { type PostgresProcess, startPostgres } from "../../apps/server/test/support/postgres-process";
import { CORPUS_DEFAULTS, SearchCorpus } from "../src/search-corpus";
import { buildPostgresSearchRoom, measurePostgresSearch, measureTickIndexing } from "../src/search-postgres";
import { benchQueries, SEARCH_KINDS } from "../src/search-queries";

/**
 * The PostgreSQL search bench's hooks at 2,000 messages: the room is built and indexed, every
 * kind is measured and answered in full (structure only, never timings).
 */
describe("search bench on PostgreSQL (structure)", () => {
  let server: PostgresProcess;
  let pool: ReturnType<typeof createPgPool>;

  beforeAll(async () => {
    server = await startPostgres({ database: "search_bench_test" });
    pool = createPgPool(server.url, { max: 2 });
    await migrate(pool);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });

  it("builds the room through writeSearchDocs and answers every kind with the hits the room holds", async () => {
    const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed: 7, messages: 2_000, authors: 50 });
    const build = await buildPostgresSearchRoom(pool, corpus, { room: "search-bench", batch: 500, log: () => {} });
    expect(build.messages).toBe(2_000);
    const indexed = await pool.query<{ n: number }>("SELECT count(*)::int AS n FROM search_docs");
    expect(indexed.rows[0]?.n).toBe(2_000);
    expect(build.relations.map((relation) => relation.name)).toContain("search_docs_body");

    const measures = await measurePostgresSearch(pool, benchQueries(corpus, 3, 7), { room: "search-bench", repetitions: 1 });
    expect(measures.map((measure) => measure.kind)).toEqual([...SEARCH_KINDS]);
    for (const measure of measures) {
      expect(measure.samples, measure.kind).toBeGreaterThan(0);
      expect(measure.short, measure.kind).toBe(0);
    }

    const tick = await measureTickIndexing(pool, { room: "ticks", ticks: 2, size: 10, texts: ["hello 世界", "second text"] });
    expect(tick.indexUsPerChat).toBeGreaterThan(0);
    expect((await pool.query("SELECT count(*)::int AS n FROM search_docs WHERE room = 'ticks'")).rows[0]).toEqual({ n: 20 });
  });
});
