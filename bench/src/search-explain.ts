/**
 * `node --import tsx bench/src/search-explain.ts <dir> [repetitions]`: the profile of a search
 * store the scenario built and kept (`pnpm bench --scenarios=search --search-data=<dir>`). For each
 * query kind it prints SQLite's plan (EXPLAIN QUERY PLAN of the statement the store runs for it)
 * and the store's own time for the bench's queries, in process, without the server or a socket:
 * the difference to the bench's figures is what the connection, the frame and the event loop cost.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseSearchQuery } from "@chatroom/protocol";
import { planOf, SqliteMessageSearch } from "../../apps/server/src/backend/sqlite/message-search";
import { SqliteBackend } from "../../apps/server/src/backend/sqlite/sqlite-backend";
import { CORPUS_DEFAULTS, SearchCorpus } from "./search-corpus";
import { percentile } from "./search-measure";
import { benchQueries, SEARCH_KIND_LABELS, SEARCH_KINDS } from "./search-queries";
import { SEARCH_DEFAULTS } from "./search-scenario";
import { Database } from "./sqlite-driver";

const [dir, repetitionsArg] = process.argv.slice(2);
if (!dir) {
  console.error("usage: node --import tsx bench/src/search-explain.ts <dir built by --search-data> [repetitions]");
  process.exit(2);
}
const repetitions = Number(repetitionsArg ?? 20);
const marker = JSON.parse(readFileSync(join(dir, "bench-search.json"), "utf8")) as { seed: number; messages: number; authors: number };
const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed: marker.seed, messages: marker.messages, authors: marker.authors });
for (const _ of corpus.messages());
const queries = benchQueries(corpus, 20, marker.seed);
const room = SEARCH_DEFAULTS.room;

const raw = new Database(join(dir, "chat.db"), { readonly: true });
const backend = SqliteBackend.open({ nodeId: "bench-explain", dataDir: dir });
const lines: string[] = [`## Search profile: ${marker.messages.toLocaleString("en-US")} messages, seed ${marker.seed}`, ""];
try {
  for (const kind of SEARCH_KINDS) {
    const sample = queries[kind][0];
    if (!sample) continue;
    const parsed = parseSearchQuery(sample.query);
    if (!parsed.ok) throw new Error(`${sample.query}: ${parsed.reason}`);
    const plan = planOf(parsed.query);
    const sql = SqliteMessageSearch.sqlOf(plan.index, parsed.query.from !== undefined);
    const steps = raw
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all({ high: 1, low: 0, rooms: "[]", match: plan.match ?? "", author: "" }) as Array<{
      detail: string;
    }>;
    const times: number[] = [];
    const requests: number[] = [];
    for (let r = 0; r < repetitions; r++) {
      for (const query of queries[kind]) {
        const request = parseSearchQuery(query.query);
        if (!request.ok) continue;
        const started = performance.now();
        let after: Awaited<ReturnType<typeof backend.search.search>>["next"];
        let hits = 0;
        let pages = 0;
        do {
          const page = await backend.search.search({
            query: request.query,
            rooms: [room],
            limit: SEARCH_DEFAULTS.pageLimit,
            ...(after ? { after } : {}),
          });
          hits += page.hits.length;
          after = page.next;
          pages++;
        } while (hits < Math.min(SEARCH_DEFAULTS.pageLimit, query.messages) && after);
        if (r > 0) times.push(performance.now() - started);
        requests.push(pages);
      }
    }
    lines.push(
      `### ${SEARCH_KIND_LABELS[kind]} (e.g. \`${sample.query}\`, index: ${plan.index ?? "search_docs (no text index)"})`,
      "",
      `In the store, without the server: p50 ${percentile(times, 50).toFixed(2)} ms, p95 ${percentile(times, 95).toFixed(2)} ms over ${times.length} warm queries; at most ${Math.max(...requests)} requests to fill a page.`,
      "",
      "```",
      ...steps.map((step) => step.detail),
      "```",
      "",
    );
  }
} finally {
  raw.close();
  await backend.close();
}
process.stdout.write(`${lines.join("\n")}\n`);
