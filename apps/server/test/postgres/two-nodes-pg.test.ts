import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { RedisTraffic } from "../../src/backend/redis/redis-traffic";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { type RedisProcess, startRedis } from "../support/redis-process";
import { logSignature, ResumingClient } from "../support/resuming-client";
import { type StartedServer, startServer } from "../support/start-server";

const FAST = { RATE_PER_SECOND: "10000", RATE_BURST: "10000" };

let postgres: PostgresProcess;
let redis: RedisProcess;
const servers: StartedServer[] = [];
const clients: ResumingClient[] = [];

beforeAll(async () => {
  [postgres, redis] = await Promise.all([startPostgres({ database: "two_nodes" }), startRedis()]);
}, 120_000);

afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
  await Promise.all(servers.map((server) => server.close()));
  await Promise.all([redis?.stop(), postgres?.stop()]);
});

/** Every client's log equals the first's: seqs 1..total with no gap, each message once. */
function expectIdenticalLogs(group: ResumingClient[], total: number): void {
  const reference = logSignature(group[0] as ResumingClient);
  expect(reference.map((line) => Number(line.split(":")[0]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  expect(new Set(reference.map((line) => line.split(":")[1])).size).toBe(total);
  for (const client of group) {
    expect(client.violations).toEqual([]);
    expect(logSignature(client)).toEqual(reference);
  }
}

describe("two nodes: PostgreSQL keeps the rooms, Redis carries the traffic", () => {
  it("gives 3 clients on each node the identical gap-free log of 300 messages sent from all of them, each ack the seq stored", async () => {
    const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, ...FAST };
    const a = await startServer(env);
    const b = await startServer(env);
    servers.push(a, b);
    expect(a.app.backend.kind).toBe("postgres");
    expect(a.app.backend.presence).toBeDefined();

    const group: ResumingClient[] = [];
    for (const [node, server] of [
      ["a", a],
      ["b", b],
    ] as const) {
      for (let i = 0; i < 3; i++) group.push(new ResumingClient({ endpoints: [server.wsUrl], rooms: ["mesh"], name: `${node}${i}` }));
    }
    clients.push(...group);
    await Promise.all(group.map((client) => client.start()));

    const total = 300;
    for (let i = 0; i < total; i++) group[i % group.length]?.send(`message ${i}`);
    await Promise.all(group.map((client) => client.until(() => client.pending === 0 && client.log().size >= total, "300", 30_000)));
    expectIdenticalLogs(group, total);
    const stored = new Map([...(group[0] as ResumingClient).log().values()].map((m) => [`${m.from.name}|${m.clientMsgId}`, m.seq]));
    for (const client of group) {
      for (const [clientMsgId, seq] of client.acked) expect(stored.get(`${client.name}|${clientMsgId}`)).toBe(seq);
    }
  });

  it("a node that commits and never publishes (the fault of dying between COMMIT and PUBLISH) leaves no hole on the other node", async () => {
    const env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, CLUSTER_SEQ_CHECK_MS: "200", ...FAST };
    // Node a's commits reach PostgreSQL, and nothing of them reaches Redis (PgFaults.beforePublish).
    let dropped = 0;
    const backendA = await PgBackend.open({
      nodeId: "dies-before-publish",
      url: postgres.url,
      traffic: await RedisTraffic.connect({ nodeId: "dies-before-publish", url: redis.url }),
      faults: {
        beforePublish: (events) => {
          dropped += events.length;
          return "drop";
        },
      },
    });
    const a = await startServer(env, { backend: backendA });
    const b = await startServer(env);
    servers.push(a, b);

    const writer = new ResumingClient({ endpoints: [a.wsUrl], rooms: ["silent"], name: "writer" });
    const reader = new ResumingClient({ endpoints: [b.wsUrl], rooms: ["silent"], name: "reader" });
    clients.push(writer, reader);
    await Promise.all([writer.start(), reader.start()]);
    const total = 20;
    for (let i = 0; i < total; i++) writer.send(`unpublished ${i}`);
    await writer.until(() => writer.pending === 0 && writer.log().size >= total, "writer acked", 20_000);
    expect(dropped).toBe(total);
    // Nothing more is sent: only the periodic latest-seq check can find these on node b.
    await reader.until(() => reader.log().size >= total, "reader filled from PostgreSQL", 20_000);
    expectIdenticalLogs([writer, reader], total);
  });
});
