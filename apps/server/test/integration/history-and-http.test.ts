import { describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
const { join } = fixture;
let server: StartedServer;

async function seed(count: number, room = "lobby") {
  const writer = await join({ room, name: "writer" });
  for (let i = 1; i <= count; i++) writer.chat(room, `m${i}`, `seed-${i}`);
  await writer.waitForCount("ack", count);
  return writer;
}

describe("history paging", () => {
  it("pages older messages with before/limit and reports hasOlder", async () => {
    server = await fixture.start({ RATE_BURST: "100", WELCOME_LATEST: "5" });
    await seed(25);
    const reader = await join({ name: "reader" });
    expect(reader.joined.messages.map((message) => message.seq)).toEqual([21, 22, 23, 24, 25]);
    expect(reader.joined.complete).toBe(false);

    reader.send({ type: "history", room: "lobby", before: 21, limit: 10 });
    const page1 = await reader.waitForType("history");
    expect(page1.room).toBe("lobby");
    expect(page1.messages.map((message) => message.seq)).toEqual([11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    expect(page1.hasOlder).toBe(true);

    let from = reader.frames.length;
    reader.send({ type: "history", room: "lobby", before: 11, limit: 10 });
    const page2 = await reader.waitForType("history", { from });
    expect(page2.messages.map((message) => message.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(page2.hasOlder).toBe(false);

    from = reader.frames.length;
    reader.send({ type: "history", room: "lobby", before: 1, limit: 10 });
    expect(await reader.waitForType("history", { from })).toEqual({ type: "history", room: "lobby", messages: [], hasOlder: false });
  });

  it("never pages past what the connection has been sent", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    await seed(3);
    const reader = await join({ name: "reader" });
    reader.send({ type: "history", room: "lobby", before: 1_000_000, limit: 100 });
    const page = await reader.waitForType("history");
    expect(page.messages.map((message) => message.seq)).toEqual([1, 2, 3]);
    expect(page.hasOlder).toBe(false);
  });

  it("resumes with since: exactly the messages after it", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    await seed(8);
    const client = await join({ since: 5 });
    expect(client.joined.messages.map((message) => message.seq)).toEqual([6, 7, 8]);
    expect(client.joined).toMatchObject({ latestSeq: 8, complete: true });
    const caughtUp = await join({ since: 8 });
    expect(caughtUp.joined.messages).toEqual([]);
    const ahead = await join({ since: 99 });
    expect(ahead.joined).toMatchObject({ messages: [], latestSeq: 8, complete: true });
  });

  it("caps a since far back at WELCOME_SINCE_MAX, with complete=false", async () => {
    server = await fixture.start({ RATE_BURST: "100", WELCOME_SINCE_MAX: "4" });
    await seed(10);
    const client = await join({ since: 0 });
    expect(client.joined.messages.map((message) => message.seq)).toEqual([7, 8, 9, 10]);
    expect(client.joined.complete).toBe(false);
  });

  it("reads forward with after/limit and reports hasNewer, up to what the connection has been sent", async () => {
    server = await fixture.start({ RATE_BURST: "100", WELCOME_SINCE_MAX: "4" });
    await seed(10);
    // The gap a resume leaves when its joined is incomplete is filled forward from since.
    const client = await join({ since: 0 });
    expect(client.joined.complete).toBe(false);
    client.send({ type: "history", room: "lobby", after: 0, limit: 4 });
    const page1 = await client.waitForType("history");
    expect(page1.room).toBe("lobby");
    expect(page1.messages.map((message) => message.seq)).toEqual([1, 2, 3, 4]);
    expect(page1.hasNewer).toBe(true);
    expect(page1.hasOlder).toBeUndefined();

    let from = client.frames.length;
    client.send({ type: "history", room: "lobby", after: 4, limit: 4 });
    const page2 = await client.waitForType("history", { from });
    expect(page2.messages.map((message) => message.seq)).toEqual([5, 6, 7, 8]);
    expect(page2.hasNewer).toBe(true);

    from = client.frames.length;
    client.send({ type: "history", room: "lobby", after: 8, limit: 100 });
    const page3 = await client.waitForType("history", { from });
    expect(page3.messages.map((message) => message.seq)).toEqual([9, 10]);
    expect(page3.hasNewer).toBe(false);

    from = client.frames.length;
    client.send({ type: "history", room: "lobby", after: 1_000, limit: 10 });
    expect(await client.waitForType("history", { from })).toEqual({ type: "history", room: "lobby", messages: [], hasNewer: false });

    // The pages and the joined hold the whole room once.
    const seqs = client.chatFrames("lobby").map((message) => message.seq);
    expect([...new Set(seqs)].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it("answers a history request for a room the connection has not joined with not_joined", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    await seed(3, "elsewhere");
    const reader = await join({ name: "reader" });
    reader.send({ type: "history", room: "elsewhere", before: 10, limit: 10 });
    expect(await reader.waitForType("error")).toMatchObject({ code: "not_joined", room: "elsewhere" });
    reader.send({ type: "history", room: "elsewhere", after: 0, limit: 10 });
    await reader.waitForCount("error", 2);
    expect(reader.ofType("error").map((error) => [error.code, error.room])).toEqual([
      ["not_joined", "elsewhere"],
      ["not_joined", "elsewhere"],
    ]);
    expect(reader.ofType("history")).toEqual([]);
  });
});

describe("HTTP routes", () => {
  it("/healthz and /readyz answer ok with the backend kind", async () => {
    server = await fixture.start();
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: "ready", backend: "memory" });
  });

  it("/readyz is 503 when the store is closed", async () => {
    server = await fixture.start();
    await server.app.backend.close();
    const ready = await fetch(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ status: "unavailable" });
  });

  it("/api/rooms lists rooms with members, busiest first, and validates limit", async () => {
    server = await fixture.start();
    expect(await (await fetch(`${server.url}/api/rooms`)).json()).toEqual({ rooms: [] });
    await join({ room: "quiet", name: "a" });
    await join({ room: "busy", name: "b" });
    await join({ room: "busy", name: "c" });
    const rooms = await (await fetch(`${server.url}/api/rooms`)).json();
    expect(rooms).toEqual({
      rooms: [
        { name: "busy", memberCount: 2 },
        { name: "quiet", memberCount: 1 },
      ],
    });
    expect(await (await fetch(`${server.url}/api/rooms?limit=1`)).json()).toEqual({ rooms: [{ name: "busy", memberCount: 2 }] });
    expect((await fetch(`${server.url}/api/rooms?limit=0`)).status).toBe(400);
  });
});
