import { CLOSE_CODES, DEFAULT_LIMITS } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ServerClock } from "../support/fake-clock";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

describe("the handshake", () => {
  it.each([
    ["room", { room: "lobby" }],
    ["name", { name: "alice" }],
    ["since", { since: 3 }],
    ["session", { session: "q7Hn2xV0c9LmZp4RtY8sWe1B" }],
  ])("a protocol 1 URL (with %s) gets unsupported_protocol and 4505 right after the upgrade", async (_param, query) => {
    const server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query });
    fixture.track(client);
    const closed = await client.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.unsupportedProtocol.code);
    expect(client.frames).toEqual([{ type: "error", code: "unsupported_protocol", message: expect.any(String) }]);
    expect(client.invalid).toEqual([]);
  });

  it("other URL parameters are ignored", async () => {
    const server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query: { v: "3", cachebust: 12 } });
    fixture.track(client);
    const ready = await client.hello({ name: "alice" });
    expect(ready.you.name).toBe("alice");
  });

  it("hello with protocol 3 gets unsupported_protocol and 4505", async () => {
    const server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl);
    fixture.track(client);
    client.send({ type: "hello", protocol: 3 });
    const closed = await client.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.unsupportedProtocol.code);
    expect(client.frames).toEqual([{ type: "error", code: "unsupported_protocol", message: expect.any(String) }]);
  });

  it.each([
    ["a join", JSON.stringify({ type: "join", room: "lobby" })],
    ["a chat", JSON.stringify({ type: "chat", room: "lobby", text: "hi", clientMsgId: "c1" })],
    ["a ping", JSON.stringify({ type: "ping" })],
    ["text that is not JSON", "hello"],
    ["a hello with an unknown field", JSON.stringify({ type: "hello", protocol: 2, token: "x" })],
  ])("%s as the first frame gets bad_request and 4501", async (_what, text) => {
    const server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl);
    fixture.track(client);
    client.sendRaw(text);
    const closed = await client.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.badRequest.code);
    expect(client.frames).toEqual([{ type: "error", code: "bad_request", message: expect.any(String) }]);
  });

  it("no hello within helloTimeoutMs closes with 4408; a hello just in time stops the clock", async () => {
    const clock = new ServerClock();
    const server = await fixture.start({}, { timers: clock });
    const { helloTimeoutMs } = server.config.limits;
    expect(helloTimeoutMs).toBe(10_000);
    const silent = await TestClient.connect(server.wsUrl);
    const prompt = await TestClient.connect(server.wsUrl);
    fixture.track(silent, prompt);
    await server.waitForConnections(2);
    await clock.advance(helloTimeoutMs - 1);
    await prompt.hello({ name: "prompt" });
    await clock.advance(1);
    const closed = await silent.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.helloTimeout.code);
    expect(silent.frames).toEqual([]);
    // The prompt client's timer was stopped by its hello: long after, it is still served.
    await clock.advance(10 * helloTimeoutMs);
    prompt.send({ type: "ping", t: 1 });
    await prompt.waitFor((frame) => frame.type === "pong" && frame.t === 1);
    expect(prompt.isOpen).toBe(true);
  });

  it("ready carries the identity, the session, the memberships and the limits (maxRooms from MAX_ROOMS)", async () => {
    const server = await fixture.start({ MAX_ROOMS: "7" });
    const client = await fixture.open({ name: "alice" });
    expect(client.ready).toEqual({
      type: "ready",
      protocol: 2,
      you: { id: expect.stringMatching(/^u_/), name: "alice" },
      session: expect.any(String),
      rooms: [],
      limits: {
        maxTextLength: DEFAULT_LIMITS.maxTextLength,
        maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
        ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
        burst: DEFAULT_LIMITS.burst,
        maxRooms: 7,
        roomMentionMembersMax: DEFAULT_LIMITS.roomMentionMembersMax,
      },
    });
    expect(server.config.limits.maxRooms).toBe(7);
  });

  it("a known session keeps its user and name (the name in hello is ignored); an unknown one is a new user", async () => {
    await fixture.start();
    const first = await fixture.open({ name: "alice" });
    await first.close();
    const again = await fixture.open({ session: first.ready.session, name: "mallory" });
    expect(again.ready.you).toEqual(first.ready.you);
    expect(again.ready.session).toBe(first.ready.session);
    const stranger = await fixture.open({ session: "x".repeat(24), name: "bob" });
    expect(stranger.ready.session).not.toBe("x".repeat(24));
    expect(stranger.ready.you.id).not.toBe(first.ready.you.id);
    expect(stranger.ready.you.name).toBe("bob");
  });

  it("a second hello on a ready connection gets bad_request and the connection stays", async () => {
    await fixture.start();
    const client = await fixture.open({ name: "alice" });
    const from = client.frames.length;
    client.send({ type: "hello", protocol: 2 });
    const error = await client.waitForType("error", { from });
    expect(error).toMatchObject({ code: "bad_request" });
    expect(error.room).toBeUndefined();
    client.send({ type: "ping", t: 7 });
    await client.waitFor((frame) => frame.type === "pong" && frame.t === 7);
    expect(client.isOpen).toBe(true);
  });

  it("a newer connection's ready with the same session closes the older with 4001, whose rooms it then holds", async () => {
    await fixture.start();
    const first = await fixture.join({ name: "alice", room: "r" });
    await first.join("s");
    const second = await fixture.open({ session: first.ready.session });
    expect((await first.waitForClose()).code).toBe(CLOSE_CODES.replaced.code);
    expect(second.ready.you).toEqual(first.ready.you);
    expect(second.ready.rooms.map((entry) => entry.room)).toEqual(["r", "s"]);
    const joined = await second.join("r");
    expect(joined.you).toEqual(first.joined.you);
    expect(joined.memberCount).toBe(1);
    second.chat("r", "still me", "c1");
    await second.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "c1");
  });
});
