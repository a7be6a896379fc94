import { describe, expect, it } from "vitest";
import { freePort } from "../support/free-port";
import { type RedisPersistence, startRedis } from "../support/redis-process";
import { logSignature, ResumingClient, type ResumingClientOptions } from "../support/resuming-client";
import { startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

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

async function redisFor(persistence: RedisPersistence) {
  const redis = await startRedis({ persistence });
  cleanup.defer(() => redis.stop());
  return redis;
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
    const redis = await redisFor("always");
    const port = await freePort();
    // A short node expiry, so the dead node's members are reaped within the test.
    const ttl = { REDIS_NODE_TTL_MS: "1500" };
    const child = await cleanup.spawnServer({ PORT: String(port), REDIS_URL: redis.url, HISTORY: "memory", ...FAST, ...ttl });
    const b = cleanup.track(await startServer({ REDIS_URL: redis.url, ...FAST, ...ttl }));
    // A member of node A that will never come back, as a crashed tab would not.
    const ghost = await TestClient.join(child.wsUrl, { room: "survive", name: "ghost" });

    for (let i = 0; i < 3; i++) addClient({ endpoints: [child.wsUrl, b.wsUrl], rooms: ["survive"], name: `a${i}` });
    for (let i = 0; i < 3; i++) addClient({ endpoints: [b.wsUrl], rooms: ["survive"], name: `b${i}` });
    await Promise.all(clients.map((client) => client.start()));

    const talk = chatter(20);
    await Promise.all(clients.map((client) => client.until(() => client.log().size >= 60, "60 messages", 10_000)));
    await child.kill("SIGKILL");
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
  });

  it("Redis killed and restarted mid-stream: nothing acked is lost and every client converges", async () => {
    const redis = await redisFor("always");
    const a = cleanup.track(await startServer({ REDIS_URL: redis.url, ...FAST }));
    const b = cleanup.track(await startServer({ REDIS_URL: redis.url, ...FAST }));
    for (let i = 0; i < 3; i++) addClient({ endpoints: [a.wsUrl], rooms: ["restart"], name: `a${i}` });
    for (let i = 0; i < 3; i++) addClient({ endpoints: [b.wsUrl], rooms: ["restart"], name: `b${i}` });
    await Promise.all(clients.map((client) => client.start()));

    const talk = chatter(20);
    await Promise.all(clients.map((client) => client.until(() => client.log().size >= 60, "60 messages", 10_000)));
    await redis.crash();
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(503);
    // Sends fail while Redis is away; the sockets stay open and the outboxes fill.
    // Several rounds of the chatter fail, not just the first.
    await Promise.all(clients.map((client) => client.until(() => client.pending >= 3, "failed sends", 5_000)));
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
    // Ready again: polled, because one probe is a PING with a 1 s bound, which a loaded machine
    // (the whole suite on two cores) can miss once while the node itself is fine.
    await expect.poll(async () => (await fetch(`${b.url}/readyz`)).status, { timeout: 10_000, interval: 200 }).toBe(200);
  });
});
