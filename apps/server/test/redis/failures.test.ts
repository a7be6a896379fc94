import { afterEach, describe, expect, it } from "vitest";
import { freePort } from "../support/free-port";
import { type ServerProcess, spawnServer } from "../support/server-process";
import { type StartedServer, startServer } from "../support/start-server";
import { type RedisProcess, startRedis } from "./redis-process";
import { logSignature, ResumingClient } from "./resuming-client";

const FAST = { RATE_PER_SECOND: "10000", RATE_BURST: "10000" };

let redis: RedisProcess | undefined;
let child: ServerProcess | undefined;
const servers: StartedServer[] = [];
const clients: ResumingClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.stop()));
  await child?.kill("SIGKILL");
  child = undefined;
  await Promise.all(servers.splice(0).map((server) => server.close()));
  await redis?.stop();
  redis = undefined;
});

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
  await Promise.all(clients.map((client) => client.until(() => client.pending === 0 && client.log.size >= total, timeoutMs, `${total}`)));
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
      const stored = reader.log.get(seq);
      expect(stored?.clientMsgId).toBe(clientMsgId);
      expect(stored?.from.id).toBe(client.userId);
    }
  }
  return reference;
}

describe("failures", () => {
  it("a node killed with SIGKILL mid-stream: its clients resume on the other node with no gap", async () => {
    redis = await startRedis();
    const port = await freePort();
    child = spawnServer({ PORT: String(port), REDIS_URL: redis.url, HISTORY: "memory", ...FAST });
    await child.ready();
    const b = await startServer({ REDIS_URL: redis.url, ...FAST });
    servers.push(b);

    for (let i = 0; i < 3; i++) clients.push(new ResumingClient([child.wsUrl, b.wsUrl], "survive", `a${i}`));
    for (let i = 0; i < 3; i++) clients.push(new ResumingClient([b.wsUrl], "survive", `b${i}`));
    await Promise.all(clients.map((client) => client.start()));

    const talk = chatter(20);
    await Promise.all(clients.map((client) => client.until(() => client.log.size >= 60, 10_000, "60 messages")));
    await child.kill("SIGKILL");
    for (const client of clients.slice(0, 3)) client.useEndpoints([b.wsUrl]);
    await Promise.all(
      clients.map((client) => client.until(() => client.welcomes >= (client.name.startsWith("a") ? 2 : 1), 10_000, "resume")),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    const total = talk.stop();

    await converge(total, 15_000);
    for (const client of clients.slice(0, 3)) expect(client.welcomes).toBe(2);
  });

  it("Redis killed and restarted mid-stream: nothing acked is lost and every client converges", async () => {
    redis = await startRedis({ fsync: "always" });
    const a = await startServer({ REDIS_URL: redis.url, ...FAST });
    const b = await startServer({ REDIS_URL: redis.url, ...FAST });
    servers.push(a, b);
    for (let i = 0; i < 3; i++) clients.push(new ResumingClient([a.wsUrl], "restart", `a${i}`));
    for (let i = 0; i < 3; i++) clients.push(new ResumingClient([b.wsUrl], "restart", `b${i}`));
    await Promise.all(clients.map((client) => client.start()));

    const talk = chatter(20);
    await Promise.all(clients.map((client) => client.until(() => client.log.size >= 60, 10_000, "60 messages")));
    await redis.crash();
    const ready = await fetch(`${a.url}/readyz`);
    expect(ready.status).toBe(503);
    // Sends fail while Redis is away; the sockets stay open and the outboxes fill.
    await Promise.all(clients.map((client) => client.until(() => client.pending > 0, 5_000, "a failed send")));
    await new Promise((resolve) => setTimeout(resolve, 300));
    for (const client of clients) expect(client.isLive).toBe(true);

    await redis.restart();
    await new Promise((resolve) => setTimeout(resolve, 500));
    const total = talk.stop();
    await converge(total, 20_000);
    for (const client of clients) expect(client.welcomes).toBe(1);
    expect((await fetch(`${b.url}/readyz`)).status).toBe(200);
  });
});
