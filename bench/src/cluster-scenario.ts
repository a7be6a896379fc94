/**
 * The two-node scenario: the same clients and the same offered load on (a) one node with SQLite,
 * (b) one node on Redis and (c) two nodes on one Redis with the clients split evenly between
 * them, senders on both. Each configuration starts fresh (its own Redis too).
 */
import { loadavg } from "node:os";
import { type RedisProcess, redisUnavailable, startRedis } from "../../apps/server/test/support/redis-process";
import { Generator } from "./generator";
import type { ClientSpec } from "./messages";
import { cpuSplit, memory } from "./proc-stats";
import type { Row, Sizes } from "./scenarios";
import { type RunningServer, startServer } from "./servers";

interface ClusterSizes {
  clients: number;
  /** Chats per second into the room, all senders together; each is delivered to every client. */
  steps: number[];
  senders: number;
  warmupMs: number;
  durationMs: number;
}

// Two nodes, Redis and two generator workers share two cores: the top step is where that machine
// is busy, not where a node is.
const FULL_CLUSTER: ClusterSizes = { clients: 200, steps: [20, 200, 1_000], senders: 50, warmupMs: 2_000, durationMs: 10_000 };
const QUICK_CLUSTER: ClusterSizes = { clients: 100, steps: [20], senders: 20, warmupMs: 300, durationMs: 1_000 };

interface Configuration {
  label: string;
  nodes: number;
  redis: boolean;
}

const CONFIGURATIONS: Configuration[] = [
  { label: "1 node, SQLite", nodes: 1, redis: false },
  { label: "1 node, Redis", nodes: 1, redis: true },
  { label: "2 nodes, Redis", nodes: 2, redis: true },
];

const TEXT_PAD = 24;
let tagCounter = 1_000;

export function clusterSizes(sizes: Sizes): ClusterSizes {
  return sizes.quick ? QUICK_CLUSTER : FULL_CLUSTER;
}

/** Every configuration at every step; an empty list (with the reason on stderr) when redis-server cannot run. */
export async function cluster(sizes: Sizes): Promise<Row[]> {
  const missing = redisUnavailable();
  if (missing) {
    process.stderr.write(`[bench] skipping the cluster scenario: ${missing}\n`);
    return [];
  }
  const rows: Row[] = [];
  for (const configuration of CONFIGURATIONS) rows.push(...(await runConfiguration(configuration, sizes)));
  return rows;
}

async function runConfiguration(configuration: Configuration, sizes: Sizes): Promise<Row[]> {
  const load = clusterSizes(sizes);
  let redis: RedisProcess | undefined;
  const nodes: RunningServer[] = [];
  let generator: Generator | undefined;
  try {
    redis = configuration.redis ? await startRedis({ persistence: "everysec" }) : undefined;
    const env: Record<string, string> = redis ? { REDIS_URL: redis.url } : {};
    for (let i = 0; i < configuration.nodes; i++) nodes.push(await startServer("chatroom", env));
    await Promise.all(nodes.map((node) => waitReady(node.port)));
    generator = await Generator.start(sizes.workers);
    // Client i goes to node ⌊i / perNode⌋. Each connect call spreads its slice round-robin over the
    // workers, so the generator's global index i % workers / ⌊i / workers⌋ holds only while every
    // slice but the last is a multiple of the worker count.
    const perNode = Math.ceil(load.clients / configuration.nodes / generator.size) * generator.size;
    for (const [k, node] of nodes.entries()) {
      const slice: ClientSpec[] = [];
      for (let i = k * perNode; i < Math.min(load.clients, (k + 1) * perNode); i++) slice.push({ room: "bench", name: `u${i}` });
      const result = await generator.connect("chatroom", node.port, slice, 2_000, 60_000);
      if (result.failed > 0)
        throw new Error(
          `${configuration.label}: ${result.failed} of ${slice.length} connections failed: ${result.errorSamples.join("; ")}`,
        );
    }
    await new Promise((r) => setTimeout(r, 500));
    const rows: Row[] = [];
    for (const msgsPerSec of load.steps) {
      rows.push(await measure(configuration, nodes, redis, generator, load, msgsPerSec));
      // Let any backlog clear before the next step.
      await new Promise((r) => setTimeout(r, 500));
    }
    return rows;
  } finally {
    await generator?.close();
    // Nodes first: a node leaving cleanly removes its members from Redis.
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
  }
}

/** `/readyz` is 200 only once the node's backend (Redis) answers. */
async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node on port ${port} was not ready within 20 s`);
}

function cpu(pids: number[]): { user: number; system: number } {
  return pids.reduce(
    (sum, pid) => {
      const one = cpuSplit(pid);
      return { user: sum.user + one.user, system: sum.system + one.system };
    },
    { user: 0, system: 0 },
  );
}

const total = (c: { user: number; system: number }) => c.user + c.system;
const round = (value: number) => Math.round(value * 100) / 100;

async function measure(
  configuration: Configuration,
  nodes: RunningServer[],
  redis: RedisProcess | undefined,
  generator: Generator,
  load: ClusterSizes,
  msgsPerSec: number,
): Promise<Row> {
  const tag = ++tagCounter;
  const clients = load.clients;
  // Evenly spaced over all clients, so with two nodes half the senders are on each.
  const senders = Array.from({ length: load.senders }, (_, i) => Math.floor((i * clients) / load.senders));
  const pids = nodes.map((node) => node.pid);
  const redisPids = redis ? [redis.pid] : [];
  await generator.stats();
  let node0 = cpu(pids);
  let redis0 = cpu(redisPids);
  let gen0 = generator.cpuSeconds();
  const marks = setTimeout(() => {
    node0 = cpu(pids);
    redis0 = cpu(redisPids);
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
  const node1 = cpu(pids);
  const redis1 = cpu(redisPids);
  const serverCpuSec = total(node1) - total(node0);
  const redisCpuSec = total(redis1) - total(redis0);
  const generatorCpuSec = generator.cpuSeconds() - gen0;
  const stats = await generator.stats();
  const seconds = load.durationMs / 1000;
  const perMillion = (cpuSec: number) => (stats.received === 0 ? Number.NaN : (cpuSec / stats.received) * 1e6);
  return {
    scenario: `cluster: ${configuration.label}`,
    server: "chatroom",
    clients,
    offeredPerSec: msgsPerSec * clients,
    sent,
    expected,
    delivered: stats.received,
    deliveredPerSec: stats.received / seconds,
    deliveredPct: expected === 0 ? 0 : (100 * stats.received) / expected,
    p50Ms: stats.latency.quantileMs(0.5),
    p90Ms: stats.latency.quantileMs(0.9),
    p99Ms: stats.latency.quantileMs(0.99),
    maxMs: stats.latency.max,
    serverCpuSec,
    serverCpuPct: (100 * serverCpuSec) / seconds,
    cpuSecPerMillion: perMillion(serverCpuSec),
    peakRssMiB: Math.max(...pids.map((pid) => memory(pid).hwm)) / 2 ** 20,
    generatorCpuSec,
    generatorCpuPct: (100 * generatorCpuSec) / seconds,
    errors: stats.errors + stats.closed,
    errorSamples: stats.errorSamples,
    extra: {
      nodes: configuration.nodes,
      backend: configuration.redis ? "redis" : "sqlite",
      msgsPerSec,
      senders: load.senders,
      // Every client got every measured chat exactly as often as it was sent: once.
      noLoss: sent > 0 && stats.perClientMin === sent && stats.perClientMax === sent,
      perClientMin: stats.perClientMin,
      perClientMax: stats.perClientMax,
      serverUserSec: round(node1.user - node0.user),
      serverSystemSec: round(node1.system - node0.system),
      redisCpuSec: round(redisCpuSec),
      redisCpuPct: round((100 * redisCpuSec) / seconds),
      redisCpuSecPerMillion: configuration.redis ? round(perMillion(redisCpuSec)) : Number.NaN,
      redisPeakRssMiB: redis ? round(memory(redis.pid).hwm / 2 ** 20) : 0,
      // The machine is shared: the 1-minute load average says how much of a latency figure is the neighbours.
      loadAverage: round(loadavg()[0] ?? 0),
    },
  };
}
