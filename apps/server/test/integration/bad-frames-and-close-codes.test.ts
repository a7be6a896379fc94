import { CLOSE_CODES, PROTOCOL_1_QUERY_PARAMS } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
const { join } = fixture;
let server: StartedServer;

describe("bad frames", () => {
  it.each([
    ["not JSON", "{nope", "bad_frame"],
    ["not an object", "[1,2]", "bad_frame"],
    ["unknown type", JSON.stringify({ type: "shout", room: "lobby", text: "hi" }), "bad_frame"],
    ["missing field", JSON.stringify({ type: "chat", room: "lobby", text: "hi" }), "bad_frame"],
    ["missing room", JSON.stringify({ type: "chat", text: "hi", clientMsgId: "x0" }), "bad_frame"],
    ["unknown field", JSON.stringify({ type: "ping", t: 1, extra: true }), "bad_frame"],
    ["wrong field type", JSON.stringify({ type: "typing", room: "lobby", active: "yes" }), "bad_frame"],
    ["empty text", JSON.stringify({ type: "chat", room: "lobby", text: "   ", clientMsgId: "x1" }), "bad_frame"],
    ["text too long", JSON.stringify({ type: "chat", room: "lobby", text: "x".repeat(2001), clientMsgId: "x2" }), "too_long"],
    ["history limit out of range", JSON.stringify({ type: "history", room: "lobby", before: 10, limit: 101 }), "bad_frame"],
    [
      "history with both before and after",
      JSON.stringify({ type: "history", room: "lobby", before: 10, after: 2, limit: 10 }),
      "bad_frame",
    ],
    ["a room that breaks the room rule", JSON.stringify({ type: "join", room: "BAD" }), "bad_frame"],
  ])("%s gets an error frame and the connection stays open", async (_label, raw, code) => {
    server = await fixture.start();
    const client = await join();
    client.sendRaw(raw);
    const error = await client.waitForType("error");
    expect(error.code).toBe(code);
    expect(error.message.length).toBeGreaterThan(0);
    client.send({ type: "ping", t: 1 });
    await client.waitForType("pong");
    expect(client.isOpen).toBe(true);
  });

  it("echoes the clientMsgId of a chat it rejects", async () => {
    server = await fixture.start();
    const client = await join();
    client.sendRaw(JSON.stringify({ type: "chat", room: "lobby", text: "", clientMsgId: "mine-1" }));
    expect(await client.waitForType("error")).toMatchObject({ code: "bad_frame", clientMsgId: "mine-1" });
  });

  it("closes with 4501 after 10 bad frames within 10 s", async () => {
    server = await fixture.start();
    const client = await join();
    for (let i = 0; i < 9; i++) client.sendRaw("garbage");
    await client.waitForCount("error", 9);
    client.send({ type: "ping" });
    await client.waitForType("pong");
    expect(client.isOpen).toBe(true);
    client.sendRaw("garbage");
    const closed = await client.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.badRequest.code);
    expect(client.ofType("error")).toHaveLength(10);
  });

  it("closes a binary frame with 1003", async () => {
    server = await fixture.start();
    const client = await join();
    client.sendRaw(Buffer.from(JSON.stringify({ type: "ping" })), { binary: true });
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.binaryFrame.code);
  });

  it("closes a frame over maxFrameBytes with 1009", async () => {
    server = await fixture.start();
    const client = await join();
    client.sendRaw(JSON.stringify({ type: "chat", room: "lobby", text: "x".repeat(17 * 1024), clientMsgId: "big" }));
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.frameTooLarge.code);
  });
});

describe("rate limits", () => {
  it("answers a chat over the rate with rate_limited, retryAfterMs, its room and its clientMsgId, and stays open", async () => {
    server = await fixture.start({ RATE_BURST: "2", RATE_PER_SECOND: "1" });
    const client = await join();
    for (let i = 1; i <= 3; i++) client.chat("lobby", `m${i}`, `r${i}`);
    const error = await client.waitForType("error");
    expect(error).toMatchObject({ code: "rate_limited", room: "lobby", clientMsgId: "r3" });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    const acks = await client.waitForCount("ack", 2);
    expect(acks.map((ack) => ack.clientMsgId)).toEqual(["r1", "r2"]);
    expect(acks.map((ack) => ack.room)).toEqual(["lobby", "lobby"]);
    client.send({ type: "ping" });
    await client.waitForType("pong");
    expect(client.isOpen).toBe(true);
  });

  it("closes a sender that keeps flooding past rate_limited with 4029", async () => {
    server = await fixture.start({ RATE_BURST: "2", RATE_PER_SECOND: "1" });
    const client = await join();
    for (let i = 1; i <= 60; i++) client.chat("lobby", `m${i}`, `f${i}`);
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.rateLimitAbuse.code);
    expect(client.ofType("error").filter((error) => error.code === "rate_limited").length).toBeGreaterThanOrEqual(10);
  });
});

// Protocol 1 put the room, name, resume point and session in the query; protocol 2 refuses such a
// request outright (4505), and the same bad values, now in hello and join, are refused there.
describe("a protocol 1 query", () => {
  it.each([
    ["room=kitchen", { room: "kitchen" }],
    ["name=alice", { name: "alice" }],
    ["since=0", { since: 0 }],
    ["session=<a token>", { session: "x".repeat(24) }],
    ["room=BAD (a bad value too)", { room: "BAD" }],
    ["an unknown parameter next to room", { colour: "red", room: "lobby" }],
  ])("%s gets the upgrade, then error unsupported_protocol, then close 4505", async (_label, query) => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query });
    fixture.track(client);
    const error = await client.waitForType("error");
    expect(error.code).toBe("unsupported_protocol");
    expect(client.frames[0]).toBe(error);
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.unsupportedProtocol.code);
    expect(client.ofType("ready")).toEqual([]);
  });

  it("covers every parameter protocol 1 had", () => {
    expect([...PROTOCOL_1_QUERY_PARAMS].sort()).toEqual(["name", "room", "session", "since"]);
  });
});

describe("a bad hello", () => {
  it.each([
    ["an empty name", { name: "   " }],
    ["a name with a zero-width space", { name: "ali\u200bce" }],
    ["a name of 33 characters", { name: "a".repeat(33) }],
    ["a malformed session", { session: "short" }],
  ])("%s gets error bad_request, then close 4501, and no ready", async (_label, fields) => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl);
    fixture.track(client);
    client.sendRaw(JSON.stringify({ type: "hello", protocol: 2, ...fields }));
    const error = await client.waitForType("error");
    expect(error.code).toBe("bad_request");
    expect(client.frames[0]).toBe(error);
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.badRequest.code);
    expect(client.ofType("ready")).toEqual([]);
  });
});

describe("a bad join", () => {
  it.each([
    ["room BAD", { room: "BAD" }],
    ["since -1", { room: "lobby", since: -1 }],
    ["since 'abc'", { room: "lobby", since: "abc" }],
    ["since 1.5", { room: "lobby", since: 1.5 }],
  ])("%s gets bad_frame, joins nothing, and the connection stays open", async (_label, fields) => {
    server = await fixture.start();
    const client = await TestClient.open(server.wsUrl, { name: "alice" });
    fixture.track(client);
    client.sendRaw(JSON.stringify({ type: "join", ...fields }));
    expect((await client.waitForType("error")).code).toBe("bad_frame");
    client.send({ type: "ping", t: 1 });
    await client.waitForType("pong");
    expect(client.ofType("joined")).toEqual([]);
    expect(client.isOpen).toBe(true);
  });
});

describe("unknown query parameters", () => {
  it("are ignored, so newer clients can add some", async () => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query: { colour: "red", v: 2 } });
    fixture.track(client);
    expect((await client.hello({ name: "alice" })).you.name).toBe("alice");
    expect((await client.join("lobby")).you.name).toBe("alice");
  });
});

describe("origin", () => {
  it("refuses a foreign browser origin with HTTP 403 and allows no Origin and the server's own", async () => {
    server = await fixture.start();
    await expect(TestClient.connect(server.wsUrl, { headers: { Origin: "https://evil.example" } })).rejects.toThrow(/403/);
    const own = await TestClient.connect(server.wsUrl, { headers: { Origin: server.url } });
    fixture.track(own);
    await own.hello();
    const none = await TestClient.connect(server.wsUrl);
    fixture.track(none);
    await none.hello();
  });
});
