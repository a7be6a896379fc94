/**
 * The cluster scenarios ([6/6]) on three configurations, each started fresh (cluster-setup.ts):
 * one node on SQLite, one node on PostgreSQL, two nodes on one PostgreSQL with Redis carrying
 * the traffic. On each: (1) fan-out, the same clients in one room under the same offered load,
 * split evenly over the nodes with senders on both, checked for loss; (2) inbound, senders
 * spread over rooms and nodes each keeping a window of chats in flight, acked after COMMIT
 * (cluster-inbound.ts). CPU is read apart for the nodes (together), PostgreSQL and Redis.
 */
import { clusterInbound } from "./cluster-inbound";
import { clusterRow } from "./cluster-report";
import {
  CONFIGURATIONS,
  configurationUnavailable,
  connectSplit,
  cpuBetween,
  type RunningConfiguration,
  round,
  startConfiguration,
} from "./cluster-setup";
import { Generator } from "./generator";
import type { ClientSpec } from "./messages";
import type { Row, Sizes } from "./scenarios";

export interface ClusterSizes {
  clients: number;
  /** Chats per second into the room, all senders together; each is delivered to every client. */
  steps: number[];
  senders: number;
  warmupMs: number;
  durationMs: number;
  /** Inbound: senders (every client sends), over rooms, each keeping `window` chats in flight until acked. */
  inboundSenders: number;
  inboundRooms: number;
  inboundWindow: number;
  inboundMs: number;
}

// Two nodes, PostgreSQL, Redis and two generator workers share two cores: the top fan-out step
// is where that machine is busy, not where a node is.
const FULL_CLUSTER: ClusterSizes = {
  clients: 200,
  steps: [20, 200, 1_000],
  senders: 50,
  warmupMs: 2_000,
  durationMs: 10_000,
  inboundSenders: 100,
  inboundRooms: 10,
  inboundWindow: 32,
  inboundMs: 5_000,
};
const QUICK_CLUSTER: ClusterSizes = {
  clients: 100,
  steps: [20],
  senders: 20,
  warmupMs: 300,
  durationMs: 1_000,
  inboundSenders: 40,
  inboundRooms: 4,
  inboundWindow: 8,
  inboundMs: 1_000,
};

const TEXT_PAD = 24;
let tagCounter = 1_000;

export function clusterSizes(sizes: Sizes): ClusterSizes {
  return sizes.quick ? QUICK_CLUSTER : FULL_CLUSTER;
}

export interface ClusterOptions {
  /** Which configurations, by number in CONFIGURATIONS from 1 (`--cluster-configs=3`); default all. */
  configurations?: number[];
  /** Which parts (`--cluster-parts=inbound`); default both. */
  parts?: ReadonlyArray<"fanout" | "inbound">;
}

/** Every configuration that can run here, fan-out steps then inbound; a skipped one says why on stderr. */
export async function cluster(sizes: Sizes, options: ClusterOptions = {}): Promise<Row[]> {
  const rows: Row[] = [];
  const parts = new Set(options.parts ?? ["fanout", "inbound"]);
  for (const [index, configuration] of CONFIGURATIONS.entries()) {
    if (options.configurations && !options.configurations.includes(index + 1)) continue;
    const missing = configurationUnavailable(configuration);
    if (missing) {
      process.stderr.write(`[bench] skipping cluster "${configuration.label}": ${missing}\n`);
      continue;
    }
    const running = await startConfiguration(configuration);
    try {
      const load = clusterSizes(sizes);
      if (parts.has("fanout")) rows.push(...(await fanOutSteps(running, sizes, load)));
      if (parts.has("inbound")) rows.push(await clusterInbound(running, sizes.workers, load));
    } finally {
      await running.stop();
    }
  }
  return rows;
}

async function fanOutSteps(running: RunningConfiguration, sizes: Sizes, load: ClusterSizes): Promise<Row[]> {
  const generator = await Generator.start(sizes.workers);
  try {
    const specs: ClientSpec[] = Array.from({ length: load.clients }, (_, i) => ({ room: "bench", name: `u${i}` }));
    await connectSplit(generator, running, specs);
    await new Promise((r) => setTimeout(r, 500));
    const rows: Row[] = [];
    for (const msgsPerSec of load.steps) {
      rows.push(await measure(running, generator, load, msgsPerSec));
      // Let any backlog clear before the next step.
      await new Promise((r) => setTimeout(r, 500));
    }
    return rows;
  } finally {
    await generator.close();
  }
}

async function measure(running: RunningConfiguration, generator: Generator, load: ClusterSizes, msgsPerSec: number): Promise<Row> {
  const { configuration } = running;
  const tag = ++tagCounter;
  const clients = load.clients;
  // Evenly spaced over all clients, so with two nodes half the senders are on each.
  const senders = Array.from({ length: load.senders }, (_, i) => Math.floor((i * clients) / load.senders));
  await generator.stats();
  let cpu0 = running.cpu();
  let gen0 = generator.cpuSeconds();
  const marks = setTimeout(() => {
    cpu0 = running.cpu();
    gen0 = generator.cpuSeconds();
  }, load.warmupMs);
  const { sent } = await generator.run({
    tag,
    senders,
    rate: msgsPerSec,
    warmupMs: load.warmupMs,
    durationMs: load.durationMs,
    textPad: TEXT_PAD,
  });
  clearTimeout(marks);
  const expected = sent * clients;
  await generator.drain(expected, 1_000, 10_000);
  const cpu = cpuBetween(cpu0, running.cpu());
  const generatorCpuSec = generator.cpuSeconds() - gen0;
  const stats = await generator.stats();
  const seconds = load.durationMs / 1000;
  const perMillion = (cpuSec: number) => (stats.received === 0 ? Number.NaN : (cpuSec / stats.received) * 1e6);
  return clusterRow(
    {
      running,
      scenario: `cluster: ${configuration.label}`,
      clients,
      offeredPerSec: msgsPerSec * clients,
      sent,
      expected,
      deliveredPerSec: stats.received / seconds,
      stats,
      cpu,
      generatorCpuSec,
      seconds,
      perMillion,
    },
    {
      msgsPerSec,
      senders: load.senders,
      // Every client got every measured chat exactly as often as it was sent: once.
      noLoss: sent > 0 && stats.perClientMin === sent && stats.perClientMax === sent,
      perClientMin: stats.perClientMin,
      perClientMax: stats.perClientMax,
      serverUserSec: round(cpu.nodesUser),
      serverSystemSec: round(cpu.nodesSystem),
    },
  );
}
