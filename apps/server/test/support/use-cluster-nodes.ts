import { afterAll, beforeAll } from "vitest";
import { type PostgresProcess, startPostgres } from "./postgres-process";
import { type RedisProcess, startRedis } from "./redis-process";
import { type StartedServer, startServer } from "./start-server";

export interface ClusterNodes<Client extends { close(): unknown }> {
  /** This file's PostgreSQL, which keeps the rooms (started before its tests). */
  readonly postgres: PostgresProcess;
  /** This file's redis-server, which carries the traffic between the nodes. */
  readonly redis: RedisProcess;
  /** `DATABASE_URL` and `REDIS_URL` of this file's cluster, for a node a test starts itself. */
  readonly env: Record<string, string>;
  /** Servers to close after the file: `start` adds its own; a test may add others. */
  readonly servers: StartedServer[];
  /** Clients to close after the file, before the servers. */
  readonly clients: Client[];
  /** Starts two nodes on this file's PostgreSQL and Redis, one after the other, with `env` added. */
  startTwo(env?: Record<string, string>): Promise<[StartedServer, StartedServer]>;
}

export interface ClusterNodesOptions {
  /** How the redis-server keeps its data; it holds nothing the nodes need back, so `none` is the default. */
  redis?: Parameters<typeof startRedis>[0];
  /** The database made for the file. */
  database?: string;
}

/** initdb with fsync on takes seconds on a busy machine. */
const START_TIMEOUT_MS = 120_000;

/**
 * The setup of a file whose tests run several nodes, as a cluster runs them: a PostgreSQL and a
 * redis-server for the file, and everything its tests open closed after it, clients first, then
 * servers, then the two stores. Tests of one file share the database: they use rooms of their own.
 */
export function useClusterNodes<Client extends { close(): unknown }>(options: ClusterNodesOptions = {}): ClusterNodes<Client> {
  let postgres: PostgresProcess | undefined;
  let redis: RedisProcess | undefined;
  const servers: StartedServer[] = [];
  const clients: Client[] = [];
  beforeAll(async () => {
    [postgres, redis] = await Promise.all([
      startPostgres({ database: options.database ?? "cluster" }),
      startRedis(options.redis ?? { persistence: "none" }),
    ]);
  }, START_TIMEOUT_MS);
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(servers.map((server) => server.close()));
    await Promise.all([redis?.stop(), postgres?.stop()]);
  });
  const started = <T>(value: T | undefined, what: string): T => {
    if (!value) throw new Error(`this file's ${what} starts in beforeAll: use it inside a test`);
    return value;
  };
  const nodes: ClusterNodes<Client> = {
    get postgres() {
      return started(postgres, "PostgreSQL");
    },
    get redis() {
      return started(redis, "Redis");
    },
    get env() {
      return { DATABASE_URL: nodes.postgres.url, REDIS_URL: nodes.redis.url };
    },
    servers,
    clients,
    async startTwo(env = {}) {
      const a = await startServer({ ...nodes.env, ...env });
      servers.push(a);
      const b = await startServer({ ...nodes.env, ...env });
      servers.push(b);
      return [a, b];
    },
  };
  return nodes;
}
