/**
 * `pnpm bench [--quick] [--only=chatroom,seed,socketio] [--scenarios=fanout,mixed,saturation,memory,storm,inbound,cluster,search]`
 * (`mixed`: our server's fan-out with chats, reactions and edits, beside its chat-only fan-out,
 * which runs too, right before it, even without `fanout`. `search`: our server only; a room of
 * 1,000,000 generated messages, `--search-seed=N` replays another corpus, `--search-data=DIR`
 * keeps the built store there and reuses it on the next run with the same seed and sizes,
 * `--search-build=appends` fills it with one store append per message instead of rows.
 * `cluster`: 1 node SQLite, 1 node PostgreSQL, 2 nodes PostgreSQL + Redis, fan-out then inbound;
 * `--cluster-configs=1,3` picks configurations, `--cluster-parts=inbound` one part.)
 * Runs every scenario against our production server and the two baselines, each started fresh,
 * then prints a markdown table and writes bench/results/<timestamp>.json and docs/bench-latency.svg.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { clusterMarkdown } from "./cluster-report";
import { cluster } from "./cluster-scenario";
import { killAllGenerators } from "./generator";
import type { ServerKind } from "./messages";
import { fanOutMixed } from "./mixed-scenario";
import { goals, latencyChart, markdown, mixedComparisons, mixedLine } from "./report";
import { FULL, fanOut, idleMemory, inbound, QUICK, type Row, saturation, storm } from "./scenarios";
import { searchMarkdown } from "./search-report";
import { type SearchScenarioResult, searchScenario } from "./search-scenario";
import { startServer, stopAllServers } from "./servers";

const ROOT = resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const quick = args.includes("--quick");
const option = (name: string) =>
  args
    .find((a) => a.startsWith(`--${name}=`))
    ?.split("=")[1]
    ?.split(",");
const kinds = (option("only") ?? ["chatroom", "seed", "socketio"]) as ServerKind[];
const scenarios = new Set(option("scenarios") ?? ["fanout", "mixed", "saturation", "memory", "storm", "inbound", "cluster", "search"]);
const chart = !args.includes("--no-chart");
const sizes = quick ? QUICK : FULL;
const startedAt = new Date();

function log(message: string): void {
  process.stderr.write(`[bench ${((Date.now() - startedAt.getTime()) / 1000).toFixed(0).padStart(4)}s] ${message}\n`);
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    log(
      `${row.scenario} / ${row.server}: ${Math.round(row.deliveredPerSec)} delivered/s (${row.deliveredPct.toFixed(1)} %), p99 ${row.p99Ms.toFixed(2)} ms, CPU ${row.serverCpuPct.toFixed(0)} %, ${row.cpuSecPerMillion.toFixed(2)} s/M, errors ${row.errors} ${JSON.stringify(row.extra)}`,
    );
  };
  const mixed = scenarios.has("mixed") && kinds.includes("chatroom");
  if (scenarios.has("mixed") && !mixed)
    log("mixed: our server only (the baselines have no reactions or edits); skipped without chatroom in --only");
  if (scenarios.has("fanout") || mixed) {
    for (const { clients, msgsPerSec } of sizes.fanout) {
      for (const kind of kinds) {
        if (scenarios.has("fanout")) add(await fanOut(kind, sizes, clients, msgsPerSec));
        // Its own chat-only windows, alternating with the mixed ones on one server (mixed-scenario.ts).
        if (mixed && kind === "chatroom") {
          for (const row of await fanOutMixed(sizes, clients, msgsPerSec)) add(row);
          for (const c of mixedComparisons(rows)) if (c.mixed === rows[rows.length - 1]?.scenario) log(mixedLine(c));
        }
      }
    }
  }
  if (scenarios.has("saturation")) for (const kind of kinds) for (const row of await saturation(kind, sizes)) add(row);
  if (scenarios.has("memory")) {
    for (const kind of kinds) add(await idleMemory(kind, sizes));
    // Protocol 2: one socket holds all of a tab's rooms; what five rooms cost per connection.
    if (kinds.includes("chatroom")) add(await idleMemory("chatroom", sizes, 5));
  }
  if (scenarios.has("storm")) for (const kind of kinds) add(await storm(kind, sizes));
  if (scenarios.has("inbound") && kinds.includes("chatroom")) add(await inbound(sizes));
  if (scenarios.has("cluster") && kinds.includes("chatroom")) {
    const configurations = option("cluster-configs")?.map(Number);
    const parts = option("cluster-parts") as Array<"fanout" | "inbound"> | undefined;
    for (const row of await cluster(sizes, { ...(configurations ? { configurations } : {}), ...(parts ? { parts } : {}) })) add(row);
  }
  let search: SearchScenarioResult | undefined;
  if (scenarios.has("search") && kinds.includes("chatroom")) {
    const seed = option("search-seed")?.[0];
    search = await searchScenario({
      sizes: sizes.search,
      ...(seed === undefined ? {} : { seed: Number(seed) }),
      ...(option("search-data")?.[0] ? { dataDir: resolve(option("search-data")?.[0] as string) } : {}),
      ...(option("search-build")?.[0] === "appends" ? { buildMode: "appends" as const } : {}),
      // A million-message store is checked (quick_check) before the server listens.
      startServer: (dataDir) => startServer("chatroom", { DATA_DIR: dataDir }, { startTimeoutMs: 300_000 }),
      log,
    });
  }

  const fanoutScenario = `fan-out ${sizes.fanout[sizes.fanout.length - 1]?.clients ?? 0}`;
  const goalRows = goals(rows, fanoutScenario);
  const header = `## Chatroom bench ${quick ? "(quick)" : "(full)"}: ${startedAt.toISOString()}, ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, Node ${process.version}`;
  // A search-only run has no throughput rows: its own table is the report.
  process.stdout.write(rows.length > 0 ? `${markdown(rows, goalRows, header)}\n` : `${header}\n`);
  const clusterTables = clusterMarkdown(rows);
  if (clusterTables) process.stdout.write(`\n${clusterTables}\n`);
  if (search) process.stdout.write(`\n${searchMarkdown(search)}\n`);

  const stamp = startedAt.toISOString().replace(/[:.]/g, "-");
  const resultsDir = join(ROOT, "bench/results");
  mkdirSync(resultsDir, { recursive: true });
  // Quick runs are smoke tests: their files are temporary (bench/results/*.tmp is git-ignored).
  const file = join(resultsDir, quick ? `${stamp}-quick.json.tmp` : `${stamp}.json`);
  const machine = { cpus: cpus().length, model: cpus()[0]?.model, node: process.version };
  const mixedRows = mixedComparisons(rows);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), quick, machine, sizes, goals: goalRows, mixed: mixedRows, rows, search }, null, 2)}\n`,
  );
  log(`wrote ${file}`);
  if (chart && rows.some((r) => r.scenario === "saturation")) {
    const svg = quick ? join(resultsDir, `${stamp}-quick-latency.svg.tmp`) : join(ROOT, "docs/bench-latency.svg");
    writeFileSync(svg, latencyChart(rows, `Latency vs offered load, ${startedAt.toISOString().slice(0, 10)}${quick ? " (quick)" : ""}`));
    log(`wrote ${svg}`);
  }
}

let exitCode = 0;
const cleanup = async () => {
  killAllGenerators();
  await stopAllServers();
};
process.on("SIGINT", () => {
  void cleanup().then(() => process.exit(130));
});
try {
  await main();
} catch (error) {
  exitCode = 1;
  console.error(error);
} finally {
  await cleanup();
}
process.exit(exitCode);
