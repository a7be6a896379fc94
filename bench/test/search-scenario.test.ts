import { afterAll, describe, expect, it } from "vitest";
import { CORPUS_DEFAULTS, SearchCorpus } from "../src/search-corpus";
import { benchQueries, SEARCH_KINDS } from "../src/search-queries";
import { searchMarkdown } from "../src/search-report";
import { type SearchSizes, searchScenario } from "../src/search-scenario";
import { startServer, stopAllServers } from "../src/servers";

/**
 * The whole search scenario at a tiny size: the same generator, the same build through the
 * production store, the real server from source on it, real sockets. It checks the structure
 * (every kind measured as often as asked, every answer right), never a timing: timings on a
 * shared test machine say nothing.
 */
const TINY: SearchSizes = { messages: 2_000, authors: 100, batch: 500, termsPerKind: 3, repetitions: 4, linkOpens: 3 };
const SEED = 7;

afterAll(stopAllServers);

describe("search corpus", () => {
  it("is the same for the same seed, and different for another", () => {
    const texts = (seed: number) => {
      const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed, messages: 300, authors: 20 });
      return [...corpus.messages()].map((m) => `${m.author.name}: ${m.text}`);
    };
    const once = texts(SEED);
    expect(texts(SEED)).toEqual(once);
    expect(texts(SEED + 1)).not.toEqual(once);
    // Both languages, and lengths with a tail: mostly short lines, a few long ones.
    expect(once.some((t) => /[a-z]{4}/.test(t))).toBe(true);
    expect(once.some((t) => /\p{Script=Han}{2}/u.test(t))).toBe(true);
    const lengths = once.map((t) => t.length).sort((a, b) => a - b);
    expect(lengths[Math.floor(lengths.length / 2)]).toBeLessThan(80);
    expect(lengths[lengths.length - 1]).toBeGreaterThan(3 * (lengths[Math.floor(lengths.length / 2)] ?? 0));
  });

  it("picks queries of every kind that the room holds, rare ones rarer than common ones", () => {
    const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed: SEED, messages: TINY.messages, authors: TINY.authors });
    for (const _ of corpus.messages());
    const queries = benchQueries(corpus, 3, SEED);
    for (const kind of SEARCH_KINDS) {
      expect(queries[kind], kind).toHaveLength(3);
      for (const q of queries[kind]) expect(q.messages, q.query).toBeGreaterThan(0);
    }
    const most = (kind: (typeof SEARCH_KINDS)[number]) => Math.max(...queries[kind].map((q) => q.messages));
    expect(most("english-rare")).toBeLessThan(Math.min(...queries["english-common"].map((q) => q.messages)));
    expect(queries.from.every((q) => q.query.startsWith("from:"))).toBe(true);
  });
});

describe("search scenario, tiny", () => {
  it("builds the store, measures every kind and link opening through the server, answers right", async () => {
    const logs: string[] = [];
    const result = await searchScenario({
      sizes: TINY,
      seed: SEED,
      startServer: (dataDir) => startServer("chatroom", { DATA_DIR: dataDir, NODE_ENV: "test" }, { fromSource: true }),
      log: (line) => logs.push(line),
    });
    expect(result.build.messages).toBe(TINY.messages);
    expect(result.build.latestSeq).toBe(TINY.messages);
    expect(result.build.dbBytes).toBeGreaterThan(0);
    expect(result.build.tables.some((t) => t.name === "chats")).toBe(true);
    expect(logs[0]).toContain(`seed ${SEED}`);
    expect(result.rows.map((r) => r.kind)).toEqual([...SEARCH_KINDS, "link"]);
    for (const row of result.rows) {
      const expected = row.kind === "link" ? TINY.linkOpens : TINY.repetitions;
      expect({ kind: row.kind, errors: row.errorSamples, wrong: row.wrongSamples }).toEqual({ kind: row.kind, errors: [], wrong: [] });
      expect(row.expectedSamples, row.kind).toBe(expected);
      expect(row.samples, row.kind).toBe(expected);
      expect(row.medianHits, row.kind).toBeGreaterThan(0);
    }
    const report = searchMarkdown(result);
    for (const row of result.rows) expect(report).toContain(row.label);
  });
});
