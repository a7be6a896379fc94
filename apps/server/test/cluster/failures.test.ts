import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { emptyDatabase } from "../support/empty-database";
import { freePort } from "../support/free-port";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { type RedisProcess, startRedis } from "../support/redis-process";
import { logSignature, ResumingClient, type ResumingClientOptions } from "../support/resuming-client";
import type { ServerProcess } from "../support/server-process";
import { startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const FAST = { RATE_PER_SECOND: "10000", RATE_BURST: "10000" };

const cleanup = useCleanup();
/** The test's resuming clients, all of which the chatter talks through. */
const clients: ResumingClient[] = [];

/** A client that resends what the store refused, as the real one does; stopped after the test. */
function addClient(options: Omit<ResumingClientOptions, "resendRefused">): void {
  const client = new ResumingClient({ ...options, resendRefused: true });
  clients.push(client);
  cleanup.defer(async () => {
    clients.splice(clients.indexOf(client), 1);
    await client.stop();
  });
}

// One PostgreSQL for the file, emptied before each test; a redis-server of each test's own, since
// one test kills it. Redis keeps nothing the nodes need back, so it runs without persistence.
let postgres: PostgresProcess;
beforeAll(async () => {
  postgres = await startPostgres({ database: "failures" });
}, 120_000);
afterAll(async () => {
  await postgres?.stop();
});

/** The environment of a node of this test's cluster: the file's PostgreSQL and a fresh Redis. */
async function cluster(): Promise<{ env: Record<string, string>; redis: Awaited<ReturnType<typeof startRedis>> }> {
  await emptyDatabase(postgres.url);
  const redis = await startRedis({ persistence: "none" });
  cleanup.defer(() => redis.stop());
  return { env: { DATABASE_URL: postgres.url, REDIS_URL: redis.url }, redis };
}

/** The sorted set where every node's presence heartbeat registers it (score: its last heartbeat). */
const NODES_KEY = "chat:nodes";

async function registeredNodes(redis: RedisProcess): Promise<string[]> {
  return (await redis.command("ZRANGE", NODES_KEY, "0", "-1")).split("\n").filter(Boolean);
}

/**
 * Kills a node as a crash would, but keeps its registration alive until the test expires it, so
 * the test decides when the other node finds it dead instead of racing the node TTL against the
 * clients' resume (as e2e/support/cluster.ts does): the node is frozen, its Redis connections are
 * cut so no heartbeat it had in flight lands later, its heartbeat is pinned far ahead, then it is killed.
 */
async function crashKeepingRegistration(redis: RedisProcess, node: ServerProcess, nodeId: string): Promise<void> {
  node.child.kill("SIGSTOP");
  for (const client of (await redis.command("CLIENT", "LIST")).split("\n")) {
    // Its command connection and its subscriber (`chat-<id>-sub`).
    if (!client.includes(` name=chat-${nodeId}`)) continue;
    const id = /^id=(\d+)/.exec(client)?.[1];
    if (id) await redis.command("CLIENT", "KILL", "ID", id);
  }
  const pinned = await redis.command("ZADD", NODES_KEY, "XX", "CH", String(Number.MAX_SAFE_INTEGER), nodeId);
  if (pinned !== "1") throw new Error(`node ${nodeId} was no longer registered when it was frozen`);
  await node.kill("SIGKILL");
}

/** Every client sends one message every `everyMs` until `stop()`; returns how many were sent. */
function chatter(everyMs: number) {
  let sent = 0;
  const timer = setInterval(() => {
    for (const client of clients) {
      client.send(`from ${client.name} #${sent}`);
      sent++;
    }
  }, everyMs);
  return {
    stop: () => {
      clearInterval(timer);
      return sent;
    },
  };
}

async function converge(total: number, timeoutMs: number): Promise<string[]> {
  await Promise.all(
    clients.map((client) => client.until(() => client.pending === 0 && client.log().size >= total, `${total} messages`, timeoutMs)),
  );
  const reference = logSignature(clients[0] as ResumingClient);
  expect(reference.map((line) => Number(line.split(":")[0]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
  for (const client of clients) {
    expect(client.violations).toEqual([]);
    expect(logSignature(client)).toEqual(reference);
  }
  // Nothing acked was lost: every ack's seq holds that very message.
  const reader = clients[0] as ResumingClient;
  for (const client of clients) {
    for (const [clientMsgId, seq] of client.acked) {
      const stored = reader.log().get(seq);
      expect(stored?.clientMsgId).toBe(clientMsgId);
      expect(stored?.from.id).toBe(client.userId);
    }
  }
  return reference;
}

describe("failures", () => {
  it("a node killed with SIGKILL mid-stream: its clients resume on the other node with no gap, its dead members leave", async () => {
    const { env, redis } = await cluster();
    const port = await freePort();
    // A short node expiry, so node B reaps the dead node's members soon once the test expires it.
    const ttl = { REDIS_NODE_TTL_MS: "1500" };
    const child = await cleanup.spawnServer({ PORT: String(port), ...env, ...FAST, ...ttl });
    // Node A registers first and alone, so its registration is known to be its own.
    const childId = await waitUntil(async () => (await registeredNodes(redis))[0], { what: "node A to register in Redis" });
    const b = cleanup.track(await startServer({ ...env, ...FAST, ...ttl }));
    // A member of node A that will never come back, as a crashed tab would not.
    const ghost = await TestClient.join(child.wsUrl, { room: "survive", name: "ghost" });

    for (let i = 0; i < 3; i++) addClient({ endpoints: [child.wsUrl, b.wsUrl], rooms: ["survive"], name: `a${i}` });
    for (let i = 0; i < 3; i++) addClient({ endpoints: [b.wsUrl], rooms: ["survive"], name: `b${i}` });
    await Promise.all(clients.map((client) => client.start()));

    const talk = chatter(20);
    await Promise.all(clients.map((client) => client.until(() => client.log().size >= 60, "60 messages", 10_000)));
    await crashKeepingRegistration(redis, child, childId);
    for (const client of clients.slice(0, 3)) client.useEndpoints([b.wsUrl]);
    await Promise.all(
      clients.map((client) => client.until(() => client.readies >= (client.name.startsWith("a") ? 2 : 1), "resume", 10_000)),
    );
    const acksAtResume = new Map(clients.map((client) => [client, client.acks.length]));
    const ackedAt = (client: ResumingClient) => acksAtResume.get(client) ?? 0;
    // The chatter goes on over the resumed connections before it stops.
    await Promise.all(clients.map((client) => client.until(() => client.acks.length >= 20 + ackedAt(client), "acks after the resume")));
    const total = talk.stop();

    await converge(total, 15_000);
    for (const client of clients.slice(0, 3)) expect(client.readies).toBe(2);

    // Node A's heartbeat stopped with it: once it expires, B reaps A's members. The resumed ones
    // are on B now and stay; the ghost leaves.
    expect(await registeredNodes(redis)).toContain(childId);
    await redis.command("ZADD", NODES_KEY, "XX", "0", childId);
    const watcher = clients[3] as ResumingClient;
    await watcher.until(
      () => watcher.frames.some((frame) => frame.type === "system" && frame.left.some((user) => user.id === ghost.ready.you.id)),
      "the ghost to leave once node A's registration expires",
      30_000,
    );
    const left = watcher.frames.flatMap((frame) => (frame.type === "system" ? frame.left.map((user) => user.id) : []));
    expect(left).toEqual([ghost.ready.you.id]);
    const listing = (await (await fetch(`${b.url}/api/rooms`)).json()) as { rooms: unknown };
    expect(listing).toEqual({ rooms: [{ name: "survive", memberCount: 6 }] });
    ghost.terminate();
    // A hang bound, not a speed target: a process start (20 s to answer /healthz), waits of 10 s,
    // 10 s and 15 s for the stream and the resume, then 30 s for the reaping; 20.6 s in CI run 75.
  }, 120_000);

  it("Redis killed and restarted mid-stream: sends are still stored and reach the other node; nothing acked is lost and every client converges", async () => {
    const { env, redis } = await cluster();
    // A quick latest-seq check: while Redis is away, it is how each node finds the other's events.
    const nodeEnv = { ...env, ...FAST, CLUSTER_SEQ_CHECK_MS: "200" };
    const a = cleanup.track(await startServer(nodeEnv));
    const b = cleanup.track(await startServer(nodeEnv));
    for (let i = 0; i < 3; i++) addClient({ endpoints: [a.wsUrl], rooms: ["restart"], name: `a${i}` });
    for (let i = 0; i < 3; i++) addClient({ endpoints: [b.wsUrl], rooms: ["restart"], name: `b${i}` });
    await Promise.all(clients.map((client) => client.start()));

    const talk = chatter(20);
    await Promise.all(clients.map((client) => client.until(() => client.log().size >= 60, "60 messages", 10_000)));
    await redis.crash();
    // PostgreSQL keeps the rooms, so sends are still acked while Redis is away, and each node's
    // clients get the other node's messages from PostgreSQL: no hole, only a later delivery. Past
    // `seqAtCrash + 30` (five rounds of the chatter), none can have come through Redis.
    const seqAtCrash = Math.max(...clients.map((client) => Math.max(0, ...client.log().keys())));
    const acksAtCrash = new Map(clients.map((client) => [client, client.acks.length]));
    const fromOtherNode = (client: ResumingClient) =>
      [...client.log().values()].some((message) => message.seq > seqAtCrash + 30 && message.from.name[0] !== client.name[0]);
    await Promise.all(
      clients.map((client) =>
        client.until(
          () => client.acks.length >= (acksAtCrash.get(client) ?? 0) + 5 && fromOtherNode(client),
          "acks and the other node's messages while Redis is down",
          15_000,
        ),
      ),
    );
    for (const client of clients) expect(client.connected).toBe(true);

    await redis.restart();
    // The chatter goes on until every client has had acks again since the restart.
    const acksAtRestart = new Map(clients.map((client) => [client, client.acks.length]));
    await Promise.all(
      clients.map((client) =>
        client.until(() => client.acks.length >= (acksAtRestart.get(client) ?? 0) + 10, "acks after the restart", 20_000),
      ),
    );
    const total = talk.stop();
    await converge(total, 20_000);
    for (const client of clients) expect(client.readies).toBe(1);
    // Ready after it all: polled, because a probe has a short bound, which a loaded machine
    // (the whole suite on two cores) can miss once while the node itself is fine.
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 10_000, interval: 200 }).toBe(200);
  });
});
