import { afterAll, beforeAll } from "vitest";
import { type RedisProcess, startRedis } from "./redis-process";
import { type StartedServer, startServer } from "./start-server";

export interface RedisNodes<Client extends { close(): unknown }> {
  /** This file's redis-server (started before its tests). */
  readonly redis: RedisProcess;
  /** Servers to close after the file: `start` adds its own; a test may add others. */
  readonly servers: StartedServer[];
  /** Clients to close after the file, before the servers. */
  readonly clients: Client[];
  /** Starts two nodes on this file's Redis, one after the other, with `env` added. */
  startTwo(env?: Record<string, string>): Promise<[StartedServer, StartedServer]>;
}

/**
 * The setup of a file whose tests run several nodes on one Redis: a redis-server for the file, and
 * everything its tests open closed after it, clients first, then servers, then Redis.
 */
export function useRedisNodes<Client extends { close(): unknown }>(options?: Parameters<typeof startRedis>[0]): RedisNodes<Client> {
  let redis: RedisProcess | undefined;
  const servers: StartedServer[] = [];
  const clients: Client[] = [];
  beforeAll(async () => {
    redis = await startRedis(options);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await Promise.all(servers.map((server) => server.close()));
    await redis?.stop();
  });
  const nodes: RedisNodes<Client> = {
    get redis() {
      if (!redis) throw new Error("this file's Redis starts in beforeAll: use it inside a test");
      return redis;
    },
    servers,
    clients,
    async startTwo(env = {}) {
      const a = await startServer({ REDIS_URL: nodes.redis.url, ...env });
      servers.push(a);
      const b = await startServer({ REDIS_URL: nodes.redis.url, ...env });
      servers.push(b);
      return [a, b];
    },
  };
  return nodes;
}
