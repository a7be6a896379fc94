/** The cluster scenarios ([6/6]) side by side: fan-out per step, then inbound against SQLite and the target. */
import { availableParallelism, loadavg } from "node:os";
import { type cpuBetween, partsCpu, type RunningConfiguration, round } from "./cluster-setup";
import type { MergedStats } from "./generator";
import { memory } from "./proc-stats";
import type { Row } from "./scenarios";

/** Issue 15: stored messages per second on two nodes, acked after COMMIT. */
export const CLUSTER_INBOUND_TARGET = 20_000;

/**
 * Everything of one run shares this machine's cores: the nodes, PostgreSQL, Redis and the load
 * generator. At `allUsPerStored` µs of CPU per stored message in all, no rate above
 * `cores × 1e6 / allUsPerStored` is possible here, however the time is split; and the target
 * leaves `cores × 1e6 / target` µs per message for all of them together.
 */
export function cpuBudget(allUsPerStored: number, cores = availableParallelism()) {
  return {
    cores,
    allCpuUsPerStored: round(allUsPerStored),
    cpuCeilingPerSec: Math.round((cores * 1e6) / allUsPerStored),
    targetBudgetUsPerStored: round((cores * 1e6) / CLUSTER_INBOUND_TARGET),
  };
}

const fmt = (value: unknown, digits = 1) => {
  const n = Number(value);
  return value === undefined || !Number.isFinite(n)
    ? "–"
    : n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });
};

export function clusterMarkdown(rows: Row[]): string {
  const fanout = rows.filter((r) => r.scenario.startsWith("cluster: "));
  const inbound = rows.filter((r) => r.scenario.startsWith("cluster inbound: "));
  if (fanout.length === 0 && inbound.length === 0) return "";
  const lines: string[] = [];
  if (fanout.length > 0) {
    lines.push(
      "Cluster fan-out: one room, clients split over the nodes; CPU per 1M deliveries (nodes together; PostgreSQL's process tree and Redis apart).",
      "",
      "| configuration | deliveries/s offered | delivered/s | p50 ms | p99 ms | nodes CPU s / 1M | PostgreSQL CPU s / 1M | Redis CPU s / 1M | errors | no loss | load avg |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    );
    const byStep = [...fanout].sort((a, b) => a.offeredPerSec - b.offeredPerSec);
    for (const r of byStep)
      lines.push(
        `| ${r.extra.configuration} | ${fmt(r.offeredPerSec, 0)} | ${fmt(r.deliveredPerSec, 0)} | ${fmt(r.p50Ms, 2)} | ${fmt(r.p99Ms, 2)} | ${fmt(r.cpuSecPerMillion, 2)} | ${fmt(r.extra.postgresCpuSecPerMillion, 2)} | ${fmt(r.extra.redisCpuSecPerMillion, 2)} | ${r.errors} | ${r.extra.noLoss ? "yes" : "**no**"} | ${fmt(r.extra.loadAverage, 1)} |`,
      );
  }
  if (inbound.length > 0) {
    const sqlite = Number(inbound.find((r) => r.extra.backend === "sqlite")?.extra.storedPerSec ?? Number.NaN);
    if (lines.length > 0) lines.push("");
    lines.push(
      `Cluster inbound: stored msgs/s acked after commit; CPU in µs per stored message; target ≥ ${CLUSTER_INBOUND_TARGET.toLocaleString("en-US")} on two nodes.`,
      "",
      "| configuration | stored msgs/s | ÷ 1 node SQLite | ÷ target | ack p50 ms | ack p99 ms | nodes CPU % | nodes µs / msg | PostgreSQL CPU % | PostgreSQL µs / msg | Redis µs / msg | generator µs / msg | all µs / msg | CPU ceiling msgs/s | errors | no loss | load avg |",
      "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|",
    );
    for (const r of inbound) {
      const stored = Number(r.extra.storedPerSec);
      lines.push(
        `| ${r.extra.configuration} | ${fmt(stored, 0)} | ${fmt(stored / sqlite, 2)} | ${fmt(stored / CLUSTER_INBOUND_TARGET, 2)} | ${fmt(r.extra.ackP50Ms, 1)} | ${fmt(r.extra.ackP99Ms, 1)} | ${fmt(r.serverCpuPct, 0)} | ${fmt(r.extra.serverCpuUsPerStored, 1)} | ${fmt(r.extra.postgresCpuPct, 0)} | ${fmt(r.extra.postgresCpuUsPerStored, 1)} | ${fmt(r.extra.redisCpuUsPerStored, 1)} | ${fmt(r.extra.generatorCpuUsPerStored, 1)} | ${fmt(r.extra.allCpuUsPerStored, 1)} | ${fmt(r.extra.cpuCeilingPerSec, 0)} | ${r.errors} | ${r.extra.noLoss ? "yes" : "**no**"} | ${fmt(r.extra.loadAverage, 1)} |`,
      );
    }
  }
  const budget = inbound.find((r) => r.extra.targetBudgetUsPerStored !== undefined)?.extra;
  if (budget)
    lines.push(
      "",
      `"all µs / msg" is the CPU of the nodes, PostgreSQL, Redis and the load generator per stored message; on ${budget.cores} cores it caps the rate at "CPU ceiling", and the target leaves ${fmt(budget.targetBudgetUsPerStored, 0)} µs per message for all of them.`,
    );
  return lines.join("\n");
}

/** What every cluster row (fan-out and inbound) is measured from. */
export interface ClusterMeasurement {
  running: RunningConfiguration;
  scenario: string;
  clients: number;
  offeredPerSec: number;
  sent: number;
  expected: number;
  deliveredPerSec: number;
  stats: MergedStats;
  cpu: ReturnType<typeof cpuBetween>;
  generatorCpuSec: number;
  seconds: number;
  perMillion: (cpuSec: number) => number;
}

/** The fields every cluster row shares, in one place; each scenario adds its own to `extra`. */
export function clusterRow(m: ClusterMeasurement, extra: Row["extra"]): Row {
  const { configuration, nodes } = m.running;
  return {
    scenario: m.scenario,
    server: "chatroom",
    clients: m.clients,
    offeredPerSec: m.offeredPerSec,
    sent: m.sent,
    expected: m.expected,
    delivered: m.stats.received,
    deliveredPerSec: m.deliveredPerSec,
    deliveredPct: m.expected === 0 ? 0 : (100 * m.stats.received) / m.expected,
    p50Ms: m.stats.latency.quantileMs(0.5),
    p90Ms: m.stats.latency.quantileMs(0.9),
    p99Ms: m.stats.latency.quantileMs(0.99),
    maxMs: m.stats.latency.max,
    serverCpuSec: m.cpu.nodes,
    serverCpuPct: (100 * m.cpu.nodes) / m.seconds,
    cpuSecPerMillion: m.perMillion(m.cpu.nodes),
    peakRssMiB: Math.max(...nodes.map((node) => memory(node.pid).hwm)) / 2 ** 20,
    generatorCpuSec: m.generatorCpuSec,
    generatorCpuPct: (100 * m.generatorCpuSec) / m.seconds,
    errors: m.stats.errors + m.stats.closed,
    errorSamples: m.stats.errorSamples,
    extra: {
      configuration: configuration.label,
      nodes: configuration.nodes,
      backend: configuration.postgres ? "postgres" : "sqlite",
      ...extra,
      ...partsCpu(m.running, m.cpu, m.seconds, m.perMillion),
      // The machine is shared: the 1-minute load average says how much of a figure is the neighbours.
      loadAverage: round(loadavg()[0] ?? 0),
    },
  };
}
