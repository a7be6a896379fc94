import { CLOSE_CODES } from "@chatroom/protocol";
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
    ["unknown type", JSON.stringify({ type: "shout", text: "hi" }), "bad_frame"],
    ["missing field", JSON.stringify({ type: "chat", text: "hi" }), "bad_frame"],
    ["unknown field", JSON.stringify({ type: "ping", t: 1, extra: true }), "bad_frame"],
    ["wrong field type", JSON.stringify({ type: "typing", active: "yes" }), "bad_frame"],
    ["empty text", JSON.stringify({ type: "chat", text: "   ", clientMsgId: "x1" }), "bad_frame"],
    ["text too long", JSON.stringify({ type: "chat", text: "x".repeat(2001), clientMsgId: "x2" }), "too_long"],
    ["history limit out of range", JSON.stringify({ type: "history", before: 10, limit: 101 }), "bad_frame"],
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
    client.sendRaw(JSON.stringify({ type: "chat", text: "", clientMsgId: "mine-1" }));
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
    client.sendRaw(JSON.stringify({ type: "chat", text: "x".repeat(17 * 1024), clientMsgId: "big" }));
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.frameTooLarge.code);
  });
});

describe("rate limits", () => {
  it("answers a chat over the rate with rate_limited, retryAfterMs and its clientMsgId, and stays open", async () => {
    server = await fixture.start({ RATE_BURST: "2", RATE_PER_SECOND: "1" });
    const client = await join();
    for (let i = 1; i <= 3; i++) client.send({ type: "chat", text: `m${i}`, clientMsgId: `r${i}` });
    const error = await client.waitForType("error");
    expect(error).toMatchObject({ code: "rate_limited", clientMsgId: "r3" });
    expect(error.retryAfterMs).toBeGreaterThan(0);
    expect((await client.waitForCount("ack", 2)).map((ack) => ack.clientMsgId)).toEqual(["r1", "r2"]);
    client.send({ type: "ping" });
    await client.waitForType("pong");
    expect(client.isOpen).toBe(true);
  });

  it("closes a sender that keeps flooding past rate_limited with 4029", async () => {
    server = await fixture.start({ RATE_BURST: "2", RATE_PER_SECOND: "1" });
    const client = await join();
    for (let i = 1; i <= 60; i++) client.send({ type: "chat", text: `m${i}`, clientMsgId: `f${i}` });
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.rateLimitAbuse.code);
    expect(client.ofType("error").filter((error) => error.code === "rate_limited").length).toBeGreaterThanOrEqual(10);
  });
});

describe("bad connection query", () => {
  it.each([
    ["room=BAD", { room: "BAD" }],
    ["since=-1", { since: "-1" }],
    ["since=abc", { since: "abc" }],
    ["an empty name", { name: "   " }],
    ["a name with a zero-width space", { name: "ali\u200bce" }],
    ["a name of 33 characters", { name: "a".repeat(33) }],
    ["a malformed session", { session: "short" }],
  ])("%s gets the upgrade, then error bad_request, then close 4501", async (_label, query) => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query });
    fixture.track(client);
    const error = await client.waitForType("error");
    expect(error.code).toBe("bad_request");
    expect(client.frames[0]).toBe(error);
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.badRequest.code);
    expect(client.ofType("welcome")).toEqual([]);
  });
});

describe("unknown query parameters", () => {
  it("are ignored, so newer clients can add some", async () => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query: { colour: "red", name: "alice" } });
    fixture.track(client);
    expect((await client.waitForType("welcome")).you.name).toBe("alice");
  });
});

describe("origin", () => {
  it("refuses a foreign browser origin with HTTP 403 and allows no Origin and the server's own", async () => {
    server = await fixture.start();
    await expect(TestClient.connect(server.wsUrl, { headers: { Origin: "https://evil.example" } })).rejects.toThrow(/403/);
    const own = await TestClient.connect(server.wsUrl, { headers: { Origin: server.url } });
    fixture.track(own);
    await own.waitForType("welcome");
  });
});
