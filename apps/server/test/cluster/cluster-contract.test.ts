// The backend contract on a cluster as it runs in production: PostgreSQL keeps the rooms, Redis
// carries the traffic. Peers are other PgBackends on the same database, each with its own Redis
// connections, so the bus and presence cross real nodes' connections.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { RedisTraffic } from "../../src/backend/redis/redis-traffic";
import { describeBackendContract } from "../contract/backend-contract";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { type RedisProcess, startRedis } from "../support/redis-process";

// One PostgreSQL and one redis-server for the file; each test starts from empty tables and gets
// its own Redis key namespace.
let postgres: PostgresProcess;
let redis: RedisProcess;
beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres({ database: "cluster_contract" }), startRedis({ persistence: "none" })]);
}, 120_000);
afterAll(async () => {
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

describeBackendContract(
  "postgres + redis",
  async ({ now }) => {
    const keyPrefix = `t${randomBytes(4).toString("hex")}`;
    const open = async (nodeId = "node-a") => {
      const traffic = await RedisTraffic.connect({ nodeId, url: redis.url, keyPrefix });
      try {
        return await PgBackend.open({ nodeId, url: postgres.url, now, poolMax: 4, traffic });
      } catch (error) {
        await traffic.close();
        throw error;
      }
    };
    await emptyDatabase(postgres.url);
    let backend: Backend = await open();
    return {
      backend,
      openPeer: () => open("node-peer"),
      interruptBus: async () => {
        // Every subscriber connection of this redis-server; only this test's nodes have one.
        await redis.command("CLIENT", "KILL", "TYPE", "pubsub");
      },
      restart: async () => {
        await backend.close();
        backend = await open();
        return backend;
      },
      cleanup: async () => {
        await backend.close();
      },
    };
  },
  { persistent: true, cluster: true },
);
