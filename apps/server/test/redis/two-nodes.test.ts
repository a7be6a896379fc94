import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RedisProcess, startRedis } from "../support/redis-process";
import { logSignature, ResumingClient } from "../support/resuming-client";
import { type StartedServer, startServer } from "../support/start-server";

const FAST = { RATE_PER_SECOND: "10000", RATE_BURST: "10000" };

let redis: RedisProcess;
const servers: StartedServer[] = [];
const clients: ResumingClient[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await Promise.all(servers.map((server) => server.close()));
  await redis?.stop();
});

describe("two nodes on one Redis", () => {
  it("gives 3 clients on each node the identical gap-free log of 500 messages sent from all of them", async () => {
    const a = await startServer({ REDIS_URL: redis.url, ...FAST });
    const b = await startServer({ REDIS_URL: redis.url, ...FAST });
    servers.push(a, b);
    expect(a.app.backend.kind).toBe("redis");
    expect(a.app.backend.nodeId).not.toBe(b.app.backend.nodeId);

    for (const [node, server] of [
      ["a", a],
      ["b", b],
    ] as const) {
      for (let i = 0; i < 3; i++) clients.push(new ResumingClient({ endpoints: [server.wsUrl], room: "mesh", name: `${node}${i}` }));
    }
    await Promise.all(clients.map((client) => client.start()));

    const total = 500;
    for (let i = 0; i < total; i++) clients[i % clients.length]?.send(`message ${i}`);
    await Promise.all(clients.map((client) => client.until(() => client.pending === 0 && client.log.size >= total, "500", 20_000)));

    const reference = logSignature(clients[0] as ResumingClient);
    expect(reference).toHaveLength(total);
    expect(reference.map((line) => Number(line.split(":")[0]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(reference.map((line) => line.split(":")[1])).size).toBe(total);
    for (const client of clients) {
      expect(client.violations).toEqual([]);
      expect(logSignature(client)).toEqual(reference);
    }
    // Every ack names the seq the message really got.
    const byClientMsgId = new Map([...(clients[0] as ResumingClient).log.values()].map((m) => [`${m.from.name}|${m.clientMsgId}`, m.seq]));
    for (const client of clients) {
      for (const [clientMsgId, seq] of client.acked) expect(byClientMsgId.get(`${client.name}|${clientMsgId}`)).toBe(seq);
    }
  });

  it("fills from the stream what a node missed while its pub/sub connection was down", async () => {
    const [a, b] = servers as [StartedServer, StartedServer];
    const onA = new ResumingClient({ endpoints: [a.wsUrl], room: "blackout", name: "reader" });
    const onB = new ResumingClient({ endpoints: [b.wsUrl], room: "blackout", name: "writer" });
    clients.push(onA, onB);
    await Promise.all([onA.start(), onB.start()]);
    onB.send("before");
    await onA.until(() => onA.log.size === 1, "first message", 5_000);

    // Drop every subscriber connection; messages published before they come back are never seen.
    const admin = new Redis(redis.url);
    try {
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
      for (let i = 0; i < 5; i++) onB.send(`during ${i}`);
      await onB.until(() => onB.pending === 0, "acks", 5_000);
    } finally {
      admin.disconnect();
    }
    // No further message follows: only the resync after the reconnect can bring them.
    await onA.until(() => onA.log.size === 6, "the missed messages", 5_000);
    expect(onA.violations).toEqual([]);
    expect(logSignature(onA)).toEqual(logSignature(onB));
  });
});
