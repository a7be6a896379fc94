import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { RedisBackend } from "../../src/backend/redis/redis-backend";
import { describeSearchContract } from "../contract/search/search-contract";
import { type RedisProcess, startRedis } from "../support/redis-process";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
});

describeSearchContract("redis", async ({ now }) => {
  // One redis-server for the file; each test gets its own key namespace.
  const backend = await RedisBackend.connect({
    nodeId: "node-redis",
    url: redis.url,
    keyPrefix: `s${randomBytes(4).toString("hex")}`,
    now,
  });
  return { backend, cleanup: () => backend.close() };
});
