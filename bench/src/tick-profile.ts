/**
 * Where a PostgreSQL tick's time goes, on the store path alone (no sockets, no fan-out):
 * `node --import tsx bench/src/tick-profile.ts [--nodes=2] [--rooms=10] [--inflight=1000] [--ms=5000] [--pool=10]`.
 * Starts its own PostgreSQL (postgres-process.ts, fsync and synchronous_commit on), then one
 * process per node, each opening a PgBackend and keeping `inflight` chat appends outstanding
 * over `rooms` shared rooms (a closed loop: the next append goes out when one resolves, i.e.
 * after its COMMIT). Every pg query is timed from call to settle by name, so a tick splits into
 * BEGIN, lockRooms, loadRows, the steps (the rest of the tick), writeTick and COMMIT, plus the
 * gap between ticks (acks, event loop, pool). `--pg=name=value,...` passes server settings
 * through ALTER SYSTEM (e.g. `--pg=commit_delay=200,wal_buffers=16MB`). `--senders=100`: the distinct
 * users the appends rotate over (each has its own access and slow-mode keys to load).
 * `--disjoint`: each node appends to rooms of its own (no counter row shared between the nodes).
 * `--statements`: pg_stat_statements' execution time, rows and WAL per statement, server side.
 * `--explain`: auto_explain's plans (with ANALYZE) of the tick's load and write statements.
 */
import { fork } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { cpus, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { startPostgres } from "../../apps/server/test/support/postgres-process";
import { cpuSeconds, treeCpuSplit } from "./proc-stats";

const ROOT = resolve(import.meta.dirname, "../..");
const args = process.argv.slice(2);
const opt = (name: string, fallback: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;

interface NodeReport {
  appends: number;
  refused: number;
  elapsedMs: number;
  ticks: number;
  /** Summed wall ms per phase over all ticks, and how many times each query ran. */
  phaseMs: Record<string, number>;
  phaseCount: Record<string, number>;
  tickMs: number;
  gapMs: number;
  /** Queries on connections outside a tick's transaction (the search indexer's slices), and the transactions they committed. */
  outsideMs: number;
  outsideCommits: number;
}

/** The part of pg this file patches (the bench package does not depend on pg itself). */
type PgModule = { Client: { prototype: { query: (this: object, ...a: unknown[]) => unknown } } };

const PHASES = ["BEGIN", "chatroom-tick-lock", "chatroom-tick-load", "chatroom-tick-write", "COMMIT"] as const;

async function runNode(): Promise<void> {
  const url = process.env.TICK_PROFILE_URL as string;
  const rooms = Number(process.env.TICK_PROFILE_ROOMS);
  const inflight = Number(process.env.TICK_PROFILE_INFLIGHT);
  const durationMs = Number(process.env.TICK_PROFILE_MS);
  const node = process.env.TICK_PROFILE_NODE as string;
  // The pg the server's source resolves, so the patch below times the backend's own queries.
  const pg = createRequire(resolve(ROOT, "apps/server/src/backend/postgres/pool.ts"))("pg") as PgModule;
  const phaseMs: Record<string, number> = {};
  const phaseCount: Record<string, number> = {};
  let ticks = 0;
  let tickMs = 0;
  let gapMs = 0;
  let outsideMs = 0;
  let outsideCommits = 0;
  let measuring = false;
  // Connections inside a tick's transaction: TickCommit begins with a bare BEGIN, nothing else does.
  const inTick = new WeakSet<object>();
  const tickStart = new WeakMap<object, number>();
  const lastCommit = new WeakMap<object, number>();
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function timed(this: object, ...a: unknown[]) {
    const config = a[0] as string | { name?: string; text?: string };
    const name = typeof config === "string" ? config : (config.name ?? config.text ?? "?");
    const started = performance.now();
    if (name === "BEGIN") {
      inTick.add(this);
      tickStart.set(this, started);
      const previous = lastCommit.get(this);
      if (measuring && previous !== undefined && started - previous < 1_000) gapMs += started - previous;
    }
    const tick = inTick.has(this);
    if (name === "COMMIT" || name === "ROLLBACK") inTick.delete(this);
    const result = original.apply(this, a);
    if (result instanceof Promise) {
      const done = () => {
        const ended = performance.now();
        if (!measuring) return;
        if (!tick) {
          outsideMs += ended - started;
          if (name === "COMMIT") outsideCommits++;
          return;
        }
        phaseMs[name] = (phaseMs[name] ?? 0) + (ended - started);
        phaseCount[name] = (phaseCount[name] ?? 0) + 1;
        if (name === "COMMIT") {
          ticks++;
          tickMs += ended - (tickStart.get(this) ?? ended);
          lastCommit.set(this, ended);
        }
      };
      result.then(done, done);
    }
    return result;
  };
  const { PgBackend } = await import("../../apps/server/src/backend/postgres/pg-backend");
  const backend = await PgBackend.open({ nodeId: node, url, poolMax: Number(process.env.TICK_PROFILE_POOL) });
  const senders = Number(process.env.TICK_PROFILE_SENDERS ?? 100);
  const roomPrefix = process.env.TICK_PROFILE_DISJOINT === "1" ? `${node}-r` : "r";
  const actors = Array.from({ length: senders }, (_, i) => ({ id: `u_${node}_${i}`, name: `User ${node} ${i}` }));
  let counter = 0;
  let appends = 0;
  let refused = 0;
  let stopAt = Number.POSITIVE_INFINITY;
  let outstanding = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((r) => {
    allDone = r;
  });
  const fire = (): void => {
    if (performance.now() >= stopAt) {
      if (outstanding === 0) allDone();
      return;
    }
    const n = counter++;
    outstanding++;
    const actor = actors[n % senders] as { id: string; name: string };
    backend.messages
      .append({ room: `${roomPrefix}${n % rooms}`, actor, clientMsgId: `${node}-${n}`, kind: "chat", text: `message ${n} from ${node}` })
      .then(
        (result) => {
          outstanding--;
          if (measuring) {
            if (result.ok) appends++;
            else refused++;
          }
          fire();
        },
        (error: unknown) => {
          process.stderr.write(`append failed: ${(error as Error).message}\n`);
          process.exit(1);
        },
      );
  };
  // Warm up (prepared statements, the rooms' rows), then measure.
  const warm = Date.now() + 1_000;
  stopAt = performance.now() + durationMs + 1_000;
  for (let i = 0; i < inflight; i++) fire();
  while (Date.now() < warm) await new Promise((r) => setTimeout(r, 20));
  measuring = true;
  const measuredFrom = performance.now();
  await finished;
  const elapsedMs = performance.now() - measuredFrom;
  measuring = false;
  await backend.close();
  const report: NodeReport = { appends, refused, elapsedMs, ticks, phaseMs, phaseCount, tickMs, gapMs, outsideMs, outsideCommits };
  process.send?.(report);
}

async function main(): Promise<void> {
  const nodes = Number(opt("nodes", "2"));
  const rooms = Number(opt("rooms", "10"));
  const inflight = Number(opt("inflight", "1000"));
  const ms = Number(opt("ms", "5000"));
  const pool = Number(opt("pool", "10"));
  const senders = opt("senders", "100");
  const statements = args.includes("--statements");
  const explain = args.includes("--explain");
  const disjoint = args.includes("--disjoint");
  const settings = opt("pg", "")
    .split(",")
    .filter(Boolean)
    .map((pair) => pair.split("=") as [string, string]);
  // A module's own settings exist only once it is loaded: those are set after the restart that loads it.
  const modules: Array<[string, string]> = [];
  if (statements) settings.push(["shared_preload_libraries", "pg_stat_statements"]);
  if (explain) {
    settings.push(["session_preload_libraries", "auto_explain"]);
    modules.push(
      ["auto_explain.log_min_duration", "0"],
      ["auto_explain.sample_rate", "0.02"],
      ["auto_explain.log_analyze", "on"],
      ["auto_explain.log_buffers", "on"],
      ["auto_explain.log_wal", "on"],
    );
  }
  const postgres = await startPostgres({ database: "ticks" });
  try {
    for (const [name, value] of settings) await postgres.psql(`ALTER SYSTEM SET ${name} = '${value}'`);
    // Settings that need a restart (wal_buffers) take effect through crash + restart's WAL recovery.
    if (settings.length > 0) {
      await postgres.crash();
      await postgres.restart();
    }
    for (const [name, value] of modules) await postgres.psql(`ALTER SYSTEM SET ${name} = '${value}'`);
    if (modules.length > 0) await postgres.psql("SELECT pg_reload_conf()");
    if (statements) await postgres.psql("CREATE EXTENSION pg_stat_statements");
    const shown = await postgres.psql(
      "SELECT string_agg(name || '=' || setting, ' ') FROM pg_settings WHERE name IN ('synchronous_commit','fsync','wal_buffers','commit_delay','commit_siblings','wal_sync_method','shared_buffers')",
    );
    const children = Array.from({ length: nodes }, (_, i) =>
      fork(import.meta.filename, [], {
        execArgv: [
          "--import",
          "tsx",
          ...(process.env.TICK_PROFILE_CPU_PROF ? ["--cpu-prof", `--cpu-prof-dir=${process.env.TICK_PROFILE_CPU_PROF}`] : []),
        ],
        env: {
          ...process.env,
          TICK_PROFILE_ROLE: "node",
          TICK_PROFILE_NODE: `n${i}`,
          TICK_PROFILE_URL: postgres.url,
          TICK_PROFILE_ROOMS: String(rooms),
          TICK_PROFILE_INFLIGHT: String(inflight),
          TICK_PROFILE_MS: String(ms),
          TICK_PROFILE_POOL: String(pool),
          TICK_PROFILE_SENDERS: senders,
          TICK_PROFILE_DISJOINT: disjoint ? "1" : "0",
        },
      }),
    );
    // CPU over the whole run including the 1 s warmup of each node: a close bound on the measured part.
    const pg0 = treeCpuSplit(postgres.pid);
    const reports = await Promise.all(
      children.map(
        (child) =>
          new Promise<NodeReport & { cpuSec: number }>((done, fail) => {
            let cpuSec = 0;
            child.once("message", (report) => {
              cpuSec = cpuSeconds(child.pid as number);
              done({ ...(report as NodeReport), cpuSec });
            });
            child.once("exit", (code) => fail(new Error(`node exited with ${code}`)));
          }),
      ),
    );
    const pg1 = treeCpuSplit(postgres.pid);
    const pgCpu = pg1.user + pg1.system - pg0.user - pg0.system;
    const seconds = Math.max(...reports.map((r) => r.elapsedMs)) / 1000;
    const appends = reports.reduce((s, r) => s + r.appends, 0);
    const ticks = reports.reduce((s, r) => s + r.ticks, 0);
    const out: string[] = [];
    out.push(
      `tick profile: ${nodes} node(s), ${rooms} rooms${disjoint ? " per node (disjoint)" : ""}, ${inflight} in flight per node, pool ${pool}, ${ms} ms; ${cpus().length} cores, load ${loadavg()[0]?.toFixed(1)}; ${shown}`,
    );
    out.push(
      `stored ${appends} in ${seconds.toFixed(2)} s = ${Math.round(appends / seconds)} msgs/s; ${ticks} ticks = ${Math.round(ticks / seconds)} ticks/s, ${(appends / ticks).toFixed(0)} per tick`,
    );
    out.push(
      `PostgreSQL CPU ${pgCpu.toFixed(2)} s (${((100 * pgCpu) / seconds).toFixed(0)} %, ${((pgCpu / appends) * 1e6).toFixed(1)} µs/msg)`,
    );
    for (const [i, r] of reports.entries()) {
      const phases = PHASES.map((p) => `${p.replace("chatroom-tick-", "")} ${((r.phaseMs[p] ?? 0) / r.ticks).toFixed(2)}`);
      // Queries of the tick outside the named phases: a ROLLBACK, a tick-event load.
      const others = Object.keys(r.phaseMs).filter((name) => !(PHASES as readonly string[]).includes(name));
      const otherMs = others.reduce((s, name) => s + (r.phaseMs[name] ?? 0), 0);
      const queries = PHASES.reduce((s, p) => s + (r.phaseMs[p] ?? 0), 0) + otherMs;
      const steps = (r.tickMs - queries) / r.ticks;
      const loads = (r.phaseCount["chatroom-tick-load"] ?? 0) / r.ticks;
      out.push(
        `node ${i}: ${r.appends} stored (${r.refused} refused), ${r.ticks} ticks, ${(r.appends / r.ticks).toFixed(0)}/tick, tick ${(r.tickMs / r.ticks).toFixed(2)} ms = ${phases.join(", ")}, other queries ${(otherMs / r.ticks).toFixed(2)} (${others.map((name) => JSON.stringify(name.replace(/\s+/g, " ").slice(0, 40))).join(", ")}), steps+rest ${steps.toFixed(2)} ms; ${loads.toFixed(2)} loads/tick; gap between ticks ${(r.gapMs / r.ticks).toFixed(2)} ms; busy ${((100 * r.tickMs) / r.elapsedMs).toFixed(0)} %; outside ticks ${r.outsideCommits} transactions (the search indexer's slices), ${(r.outsideMs / Math.max(1, r.outsideCommits)).toFixed(1)} ms of queries each; node CPU ${r.cpuSec.toFixed(2)} s (${((r.cpuSec / r.appends) * 1e6).toFixed(1)} µs/msg incl. warmup)`,
      );
    }
    // What the nodes' search indexers had not reached when they closed, right after the appends stopped.
    const queued = await postgres.psql("SELECT count(*) FROM search_backlog");
    const docs = await postgres.psql("SELECT count(*) FROM search_docs");
    out.push(`search index: ${docs} chats indexed, ${queued} still queued when the nodes closed`);
    if (statements)
      out.push(
        await postgres.psql(
          `SELECT string_agg(format('%s: %s calls, exec %s ms/call, %s rows/call, WAL %s B/call (%s records, %s full pages)', left(regexp_replace(query, '\\s+', ' ', 'g'), 60), calls, round(mean_exec_time::numeric, 3), round(rows::numeric / calls, 1), round(wal_bytes / calls), round(wal_records::numeric / calls), wal_fpi), E'\\n' ORDER BY total_exec_time DESC) FROM (SELECT * FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 8) s`,
        ),
      );
    if (explain) {
      const log = readFileSync(join(postgres.socketDir, "server.log"), "utf8");
      const plans = log.split(/\n(?=\S.*LOG: {2}duration:)/).filter((entry) => entry.includes("Query Text"));
      for (const marker of ["FROM sends s JOIN unnest", "WITH\ns AS (INSERT INTO sends"]) {
        const plan = plans.filter((entry) => entry.includes(marker)).pop();
        if (plan)
          out.push(
            plan.replace(
              /Query Text:[\s\S]*?(?=\n\s*(Append|Result|CTE|Subquery|Hash|Nested|Merge|Insert|Update|Delete|->))/,
              "Query Text: (elided)",
            ),
          );
      }
    }
    process.stdout.write(`${out.join("\n")}\n`);
  } finally {
    await postgres.stop();
  }
}

if (process.env.TICK_PROFILE_ROLE === "node") await runNode();
else await main();
