import { CLOSE_CODES } from "@chatroom/protocol";
import { afterEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import type { BuildOverrides } from "../../src/app";
import { ServerClock } from "../support/fake-clock";
import { type StartedServer, startServer } from "../support/start-server";
import { onlyChats, TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";
import { type Bystander, expectBystanderUnharmed, joinBystander } from "./support/bystander";

const ROOM = "abuse";

/** The HTTP status an upgrade attempt got, or 101 when it was accepted (then the socket is closed). */
function upgradeStatus(wsUrl: string, headers: Record<string, string> = {}): Promise<{ status: number; retryAfter?: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(wsUrl, { headers });
    socket.once("open", () => {
      socket.terminate();
      resolve({ status: 101 });
    });
    socket.once("unexpected-response", (_request, response) => {
      const retryAfter = response.headers["retry-after"];
      resolve({ status: response.statusCode ?? 0, ...(typeof retryAfter === "string" ? { retryAfter } : {}) });
      socket.terminate();
    });
    socket.once("error", reject);
  });
}

describe("abuse", () => {
  let server: StartedServer | undefined;
  const clients: TestClient[] = [];
  let bystander: Bystander | undefined;

  async function start(env: Record<string, string> = {}, overrides: BuildOverrides = {}) {
    server = await startServer(env, overrides);
    bystander = await joinBystander(server.wsUrl, ROOM);
    return { server, bystander };
  }
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await bystander?.close();
    await server?.close();
  });

  it("a flood of 1,000 messages in 1 s stores at most burst + rate, others keep chatting, and ends in 4029", async () => {
    // The second of the flood passes on the server's clock, 100 ms per batch, each batch read
    // in before the clock moves on: the budget refills exactly as much as the test says.
    const clock = new ServerClock();
    const { server, bystander } = await start({}, { timers: clock });
    const { burst, ratePerSecond } = server.config.limits;
    const flooder = await TestClient.join(server.wsUrl, { room: ROOM, name: "flooder" });
    clients.push(flooder);
    const started = clock.now();
    const bystanderIds: string[] = [];
    const framesIn = () => server.metric("chat_ws_messages_in_total");
    const before = await framesIn();
    let sent = 0;
    for (let batch = 0; batch < 10; batch++) {
      for (let i = 0; i < 100; i++) {
        if (flooder.socket.readyState === WebSocket.OPEN) {
          flooder.chat(ROOM, `spam ${batch}-${i}`, `f${batch}-${i}`);
          sent++;
        }
      }
      const clientMsgId = `by-during-${batch}`;
      bystanderIds.push(clientMsgId);
      if (batch % 3 === 0) {
        bystander.chat(ROOM, `meanwhile ${batch}`, clientMsgId);
        sent++;
      }
      await waitUntil(async () => flooder.closeEvent !== undefined || (await framesIn()) >= before + sent, {
        what: `batch ${batch} read in`,
      });
      await clock.advance(100);
    }
    const elapsedSeconds = (clock.now() - started) / 1000;

    expect((await flooder.waitForClose()).code).toBe(CLOSE_CODES.rateLimitAbuse.code);
    const limited = flooder.ofType("error").filter((e) => e.code === "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expect(error.retryAfterMs).toBeGreaterThan(0);
      expect(error.room).toBe(ROOM);
    }

    const stored = await server.app.backend.messages.range(ROOM, { after: 0, upTo: 1_000_000, limit: 1_000_000 });
    const storedFromFlooder = onlyChats(stored.messages).filter((m) => m.from.id === flooder.joined.you.id);
    expect(storedFromFlooder.length).toBeGreaterThanOrEqual(burst);
    expect(storedFromFlooder.length).toBeLessThanOrEqual(burst + Math.ceil(ratePerSecond * elapsedSeconds));
    // The 4029 may overtake acks still in flight (the frames arrive in one tick, the commits
    // after it); an unacked message stays in the client's outbox and its resend is deduplicated.
    // What must never happen is an ack for a message that was not stored.
    const storedIds = new Set(storedFromFlooder.map((m) => m.clientMsgId));
    for (const ack of flooder.ofType("ack")) expect(storedIds.has(ack.clientMsgId)).toBe(true);
    // Every bystander message sent during the flood was acked and fanned out.
    for (const clientMsgId of bystanderIds.filter((_, batch) => batch % 3 === 0)) {
      await bystander.waitFor((f) => f.type === "ack" && f.clientMsgId === clientMsgId);
    }
    await expectBystanderUnharmed(bystander);
    // The bystander saw each stored flood message exactly once (and in seq order, checked above).
    expect(bystander.ofType("chat").filter((c) => c.from.id === flooder.joined.you.id)).toHaveLength(storedFromFlooder.length);
  });

  it("joining more rooms does not multiply the chat budget: one connection's flood across rooms stores at most burst", async () => {
    // The server's clock stands still, so the budget never refills: burst is all there is.
    const { server, bystander } = await start({}, { timers: new ServerClock() });
    const { burst } = server.config.limits;
    const rooms = [ROOM, "abuse-2", "abuse-3", "abuse-4", "abuse-5"];
    const flooder = await TestClient.join(server.wsUrl, { room: ROOM, name: "flooder" });
    clients.push(flooder);
    for (const room of rooms.slice(1)) await flooder.join(room);
    for (let i = 0; i < 200 && flooder.isOpen; i++) flooder.chat(rooms[i % rooms.length] ?? ROOM, `spam ${i}`, `spread-${i}`);
    expect((await flooder.waitForClose()).code).toBe(CLOSE_CODES.rateLimitAbuse.code);

    const storedFromFlooder = async () => {
      let stored = 0;
      for (const room of rooms) {
        const page = await server.app.backend.messages.range(room, { after: 0, upTo: 1_000_000, limit: 1_000_000 });
        stored += onlyChats(page.messages).filter((m) => m.from.id === flooder.ready.you.id).length;
      }
      return stored;
    };
    // The close may overtake commits still in flight.
    await waitUntil(async () => (await storedFromFlooder()) >= burst, { what: "the burst to be stored" }).catch(() => undefined);
    expect(await storedFromFlooder()).toBe(burst);
    const limited = flooder.ofType("error").filter((e) => e.code === "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) expect(rooms).toContain(error.room);
    await expectBystanderUnharmed(bystander);
  });

  it("connection caps answer HTTP 503 before the upgrade, per IP and in total", async () => {
    const { server: perIp, bystander } = await start({ MAX_CONNECTIONS_PER_IP: "3" });
    for (let i = 0; i < 2; i++) clients.push(await TestClient.join(perIp.wsUrl, { room: ROOM }));
    expect(await upgradeStatus(perIp.wsUrl)).toEqual({ status: 503, retryAfter: "5" });
    // Without TRUST_PROXY a forwarded-for header is the client's word and changes nothing.
    expect((await upgradeStatus(perIp.wsUrl, { "x-forwarded-for": "203.0.113.9" })).status).toBe(503);
    await clients.pop()?.close();
    clients.push(await TestClient.join(perIp.wsUrl, { room: ROOM }));
    await expectBystanderUnharmed(bystander);
    for (const client of clients.splice(0)) await client.close();
    await bystander.close();
    await perIp.close();

    const { server: total, bystander: second } = await start({ MAX_CONNECTIONS: "2", TRUST_PROXY: "true" });
    clients.push(await TestClient.join(total.wsUrl, { room: ROOM }));
    // Behind a trusted proxy the key is the forwarded address, but the total cap holds for all.
    expect(await upgradeStatus(total.wsUrl, { "x-forwarded-for": "198.51.100.7" })).toEqual({ status: 503, retryAfter: "5" });
    await expectBystanderUnharmed(second);
  });

  it("TRUST_PROXY keys the per-IP cap on the forwarded address", async () => {
    const { server, bystander } = await start({ MAX_CONNECTIONS_PER_IP: "1", TRUST_PROXY: "true" });
    expect((await upgradeStatus(server.wsUrl)).status).toBe(503);
    const forwarded = await TestClient.join(server.wsUrl, { room: ROOM, headers: { "x-forwarded-for": "198.51.100.7" } });
    clients.push(forwarded);
    expect(forwarded.joined.room).toBe(ROOM);
    expect((await upgradeStatus(server.wsUrl, { "x-forwarded-for": "198.51.100.7" })).status).toBe(503);
    await expectBystanderUnharmed(bystander);
  });

  it("a bad Origin gets HTTP 403 before the upgrade; listed and own origins pass", async () => {
    const { server, bystander } = await start({ ALLOWED_ORIGINS: "https://chat.example" });
    for (const origin of [
      "https://evil.example",
      "null",
      "http://127.0.0.1.evil.example",
      "not a url",
      `http://127.0.0.1:${server.port + 1}`,
    ]) {
      expect((await upgradeStatus(server.wsUrl, { origin })).status).toBe(403);
    }
    expect((await upgradeStatus(server.wsUrl, { origin: "https://chat.example" })).status).toBe(101);
    expect((await upgradeStatus(server.wsUrl, { origin: `http://127.0.0.1:${server.port}` })).status).toBe(101);
    await expectBystanderUnharmed(bystander);
  });
});

describe("typing floods", () => {
  const cleanup = useCleanup();

  it("a client toggling typing on and off as fast as it can reaches the room at most twice per throttle window", async () => {
    // The server's clock stands still: the whole flood falls in one throttle window.
    const clock = new ServerClock();
    const server = cleanup.track(await startServer({}, { timers: clock }));
    const bystander = await joinBystander(server.wsUrl, ROOM);
    const typist = await TestClient.join(server.wsUrl, { room: ROOM, name: "typist" });
    const started = clock.now();
    for (let i = 0; i < 300; i++) typist.send({ type: "typing", room: ROOM, active: i % 2 === 0 });
    typist.send({ type: "ping", t: 1 });
    await typist.waitForType("pong");
    await expectBystanderUnharmed(bystander);
    // The throttle windows the flood touched.
    const windows = Math.floor((clock.now() - started) / server.config.limits.typingThrottleMs) + 1;
    const typing = bystander.ofType("typing").filter((t) => t.user.id === typist.joined.you.id);
    expect(typing.length).toBeGreaterThanOrEqual(1);
    expect(typing.length).toBeLessThanOrEqual(2 * windows + 1);
    await typist.close();
    await bystander.close();
  });
});
