import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { RedisBackend } from "../../src/backend/redis/redis-backend";
import { describeBackendContract } from "../contract/backend-contract";
import { type RedisProcess, startRedis } from "../support/redis-process";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describeBackendContract(
  "redis",
  async ({ now }) => {
    // One redis-server for the file; each test gets its own key namespace.
    const keyPrefix = `t${randomBytes(4).toString("hex")}`;
    const open = (nodeId = "node-redis") => RedisBackend.connect({ nodeId, url: redis.url, keyPrefix, now });
    let backend: Backend = await open();
    return {
      backend,
      openPeer: () => open("node-peer"),
      interruptBus: async () => {
        // Every subscriber connection of this redis-server; only this test's backend has one.
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
