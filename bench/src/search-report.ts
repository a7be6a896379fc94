import type { SearchScenarioResult } from "./search-scenario";

const ms = (value: number) => (Number.isFinite(value) ? value.toFixed(2) : "–");
const mib = (bytes: number) => (bytes / 1024 / 1024).toLocaleString("en-US", { maximumFractionDigits: 1, minimumFractionDigits: 1 });
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "–");

/** Tables this many rows long list the biggest tables and indexes of the store. */
const TABLES_SHOWN = 8;

/** The search scenario's part of the bench report: the build, then each measure beside its target. */
export function searchMarkdown(result: SearchScenarioResult): string {
  const { build, sizes } = result;
  const lines: string[] = [];
  lines.push(
    `### Search: ${int(build.messages)} messages in one room (seed ${result.seed}, ${int(sizes.authors)} authors, Zipf), production SQLite store`,
    "",
    `Built (${build.mode === "appends" ? "one store append per message" : "the store's rows in large transactions, queued by its triggers, then indexed by its indexer"}) in ${(build.buildMs / 1000).toFixed(1)} s (${int(build.messages / (build.buildMs / 1000))} messages/s${build.reused ? ", reused from an earlier build" : ""}); the room's latest seq read back: ${int(build.latestSeq)}. ` +
      `Database after checkpoint: ${mib(build.dbBytes + build.walBytes)} MiB (db ${mib(build.dbBytes)} + wal ${mib(build.walBytes)}). ` +
      `The server opened it in ${(result.serverStartMs / 1000).toFixed(1)} s.`,
    "",
    "| measure (through the real server, one request at a time) | p50 ms | p95 ms | max ms | samples | median hits | requests (max) | errors | wrong | target | met |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
  );
  for (const row of result.rows) {
    const problems = [...row.errorSamples, ...row.wrongSamples]
      .slice(0, 1)
      .map((text) => ` (e.g. ${text.replaceAll("|", "/").slice(0, 80)})`);
    lines.push(
      `| ${row.label} | ${ms(row.p50Ms)} | ${ms(row.p95Ms)} | ${ms(row.maxMs)} | ${row.samples} / ${row.expectedSamples} | ${int(row.medianHits)} | ${int(row.maxPages)} | ${row.errors} | ${row.wrong} | p95 ≤ ${row.targetP95Ms} ms | ${row.met ? "yes" : `**no**${problems.join("")}`} |`,
    );
  }
  lines.push(
    "",
    "Each search is timed from sending `search` to its answer, warm, with the queries of a kind varied; when the store answered a short page with a `next` (its scan budget), the bench asked for the next page until the first page was full, and the time is the sum (`requests (max)`). A link is timed from sending `join` to the answer of the `history {around}` sent on `joined`. Wrong: fewer hits than the room holds, or a page without its target.",
    "",
    "| table or index | MiB | share |",
    "|---|---:|---:|",
  );
  const total = build.tables.reduce((sum, t) => sum + t.bytes, 0);
  for (const table of build.tables.slice(0, TABLES_SHOWN)) {
    lines.push(`| ${table.name} | ${mib(table.bytes)} | ${((100 * table.bytes) / total).toFixed(1)} % |`);
  }
  return lines.join("\n");
}
