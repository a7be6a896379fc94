/**
 * The configurations of the cluster scenarios ([6/6]) and how one is started: its own
 * PostgreSQL (a fresh `initdb` cluster), its own redis-server, its nodes, and the CPU readings of
 * each part apart (the nodes together, PostgreSQL's whole process tree, Redis).
 */
import { type PostgresProcess, postgresUnavailable, startPostgres } from "../../apps/server/test/support/postgres-process";
import { type RedisProcess, redisUnavailable, startRedis } from "../../apps/server/test/support/redis-process";
import type { Generator } from "./generator";
import type { ClientSpec } from "./messages";
import { cpuSplit, memory, treeCpuSplit } from "./proc-stats";
import { type RunningServer, startServer } from "./servers";

export interface Configuration {
  label: string;
  nodes: number;
  /** DATABASE_URL: PostgreSQL is the system of record; otherwise the embedded SQLite store. */
  postgres: boolean;
  /** REDIS_URL (with DATABASE_URL): Redis carries the traffic between the nodes, nothing else. */
  redis: boolean;
}

export const CONFIGURATIONS: readonly Configuration[] = [
  { label: "1 node, SQLite", nodes: 1, postgres: false, redis: false },
  { label: "1 node, PostgreSQL", nodes: 1, postgres: true, redis: false },
  { label: "2 nodes, PostgreSQL + Redis", nodes: 2, postgres: true, redis: true },
];

/** Why a configuration cannot run here (a missing binary), or undefined when it can. */
export function configurationUnavailable(configuration: Configuration): string | undefined {
  return (configuration.postgres ? postgresUnavailable() : undefined) ?? (configuration.redis ? redisUnavailable() : undefined);
}

export interface CpuSample {
  /** utime and stime of every node process together. */
  nodes: { user: number; system: number };
  /** The postmaster and its backends (and the backends that exited meanwhile, through the postmaster). */
  postgres: number;
  redis: number;
}

export interface RunningConfiguration {
  configuration: Configuration;
  nodes: RunningServer[];
  postgres?: PostgresProcess;
  redis?: RedisProcess;
  cpu(): CpuSample;
  /** Nodes first (a node leaving cleanly tells Redis), then Redis and PostgreSQL. */
  stop(): Promise<void>;
}

/** Starts everything a configuration needs, fresh, and waits until every node is ready. */
export async function startConfiguration(configuration: Configuration): Promise<RunningConfiguration> {
  const nodes: RunningServer[] = [];
  let postgres: PostgresProcess | undefined;
  let redis: RedisProcess | undefined;
  const stop = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await redis?.stop();
    await postgres?.stop();
  };
  try {
    postgres = configuration.postgres ? await startPostgres({ database: "bench" }) : undefined;
    // Redis keeps nothing any more ([6/6]: history is in PostgreSQL), so it runs without an AOF.
    redis = configuration.redis ? await startRedis({ persistence: "none" }) : undefined;
    const env: Record<string, string> = {
      ...(postgres ? { DATABASE_URL: postgres.url } : {}),
      ...(redis ? { REDIS_URL: redis.url } : {}),
    };
    for (let i = 0; i < configuration.nodes; i++) nodes.push(await startServer("chatroom", env));
    await Promise.all(nodes.map((node) => waitReady(node.port)));
  } catch (error) {
    await stop();
    throw error;
  }
  const postgresPid = postgres?.pid;
  const redisPid = redis?.pid;
  return {
    configuration,
    nodes,
    ...(postgres ? { postgres } : {}),
    ...(redis ? { redis } : {}),
    cpu: () => ({
      nodes: nodes.reduce(
        (sum, node) => {
          const one = cpuSplit(node.pid);
          return { user: sum.user + one.user, system: sum.system + one.system };
        },
        { user: 0, system: 0 },
      ),
      postgres: postgresPid === undefined ? 0 : total(treeCpuSplit(postgresPid)),
      redis: redisPid === undefined ? 0 : total(cpuSplit(redisPid)),
    }),
    stop,
  };
}

const total = (c: { user: number; system: number }) => c.user + c.system;

/** The CPU seconds of each part between two samples. */
export function cpuBetween(before: CpuSample, after: CpuSample) {
  const user = after.nodes.user - before.nodes.user;
  const system = after.nodes.system - before.nodes.system;
  return {
    nodes: user + system,
    nodesUser: user,
    nodesSystem: system,
    postgres: after.postgres - before.postgres,
    redis: after.redis - before.redis,
  };
}

/**
 * Connects `specs` with client i on node ⌊i / perNode⌋: one half of the clients on each of two
 * nodes. Each connect call spreads its slice round-robin over the generator's workers, so the
 * generator's global index (i % workers, ⌊i / workers⌋) holds only while every slice but the last
 * is a multiple of the worker count: perNode is rounded up to one.
 */
export async function connectSplit(generator: Generator, running: RunningConfiguration, specs: ClientSpec[]): Promise<void> {
  const { nodes, configuration } = running;
  const perNode = Math.ceil(specs.length / nodes.length / generator.size) * generator.size;
  for (const [k, node] of nodes.entries()) {
    const slice = specs.slice(k * perNode, (k + 1) * perNode);
    if (slice.length === 0) continue;
    const result = await generator.connect("chatroom", node.port, slice, 2_000, 60_000);
    if (result.failed > 0)
      throw new Error(`${configuration.label}: ${result.failed} of ${slice.length} connections failed: ${result.errorSamples.join("; ")}`);
  }
}

/** `/readyz` is 200 only once the node's backend (PostgreSQL, Redis) answers. */
async function waitReady(port: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node on port ${port} was not ready within 30 s`);
}

export const round = (value: number) => Math.round(value * 100) / 100;

/** PostgreSQL's and Redis's CPU apart: seconds, % of one core, and per million of `perMillion`'s unit. */
export function partsCpu(
  running: RunningConfiguration,
  cpu: { postgres: number; redis: number },
  seconds: number,
  perMillion: (cpuSec: number) => number,
): Record<string, number> {
  return {
    ...(running.postgres
      ? {
          postgresCpuSec: round(cpu.postgres),
          postgresCpuPct: round((100 * cpu.postgres) / seconds),
          postgresCpuSecPerMillion: round(perMillion(cpu.postgres)),
          postgresPeakRssMiB: round(memory(running.postgres.pid).hwm / 2 ** 20),
        }
      : {}),
    ...(running.redis
      ? {
          redisCpuSec: round(cpu.redis),
          redisCpuPct: round((100 * cpu.redis) / seconds),
          redisCpuSecPerMillion: round(perMillion(cpu.redis)),
          redisPeakRssMiB: round(memory(running.redis.pid).hwm / 2 ** 20),
        }
      : {}),
  };
}
