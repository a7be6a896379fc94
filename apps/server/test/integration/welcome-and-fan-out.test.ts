import { DEFAULT_LIMITS, PROTOCOL_VERSION, serverFrameSchema } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
const { join } = fixture;
let server: StartedServer;

describe("welcome", () => {
  it("is the first frame, matches the schema and describes the room, the user and the limits", async () => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl, { query: { room: "kitchen", name: "alice" } });
    fixture.track(client);
    const welcome = await client.waitForType("welcome");
    expect(client.frames[0]).toBe(welcome);
    expect(serverFrameSchema.safeParse(welcome).success).toBe(true);
    expect(Object.keys(welcome).sort()).toEqual(
      ["type", "protocol", "room", "you", "session", "members", "memberCount", "messages", "latestSeq", "complete", "limits"].sort(),
    );
    expect(welcome.protocol).toBe(PROTOCOL_VERSION);
    expect(welcome.room).toBe("kitchen");
    expect(welcome.you.name).toBe("alice");
    expect(welcome.you.id).toMatch(/\S/);
    expect(welcome.session).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(welcome.members).toEqual([welcome.you]);
    expect(welcome.memberCount).toBe(1);
    expect(welcome.messages).toEqual([]);
    expect(welcome.latestSeq).toBe(0);
    expect(welcome.complete).toBe(true);
    expect(welcome.limits).toEqual({
      maxTextLength: DEFAULT_LIMITS.maxTextLength,
      maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
      ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
      burst: DEFAULT_LIMITS.burst,
    });
    expect(client.invalid).toEqual([]);
  });

  it("defaults to the lobby and a guest name, and reports configured limits", async () => {
    server = await fixture.start({ MAX_TEXT_LENGTH: "500", RATE_PER_SECOND: "2", RATE_BURST: "7" });
    const { welcome } = await join();
    expect(welcome.room).toBe("lobby");
    expect(welcome.you.name).toMatch(/^guest-[a-z0-9]{4}$/);
    expect(welcome.limits).toMatchObject({ maxTextLength: 500, ratePerSecond: 2, burst: 7 });
  });

  it("lists the members already present, and carries the latest messages with seq", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    alice.send({ type: "chat", text: "hello", clientMsgId: "m1" });
    await alice.waitForType("ack");
    const bob = await join({ name: "bob" });
    expect(bob.welcome.memberCount).toBe(2);
    expect(bob.welcome.members.map((member) => member.name).sort()).toEqual(["alice", "bob"]);
    expect(bob.welcome.latestSeq).toBe(1);
    expect(bob.welcome.messages).toMatchObject([{ type: "chat", seq: 1, text: "hello", from: alice.welcome.you, clientMsgId: "m1" }]);
  });

  it("carries only the latest WELCOME_LATEST messages without since, with complete=false", async () => {
    server = await fixture.start({ WELCOME_LATEST: "3", RATE_BURST: "100" });
    const alice = await join({ name: "alice" });
    for (let i = 1; i <= 5; i++) alice.send({ type: "chat", text: `m${i}`, clientMsgId: `m${i}` });
    await alice.waitForCount("ack", 5);
    const bob = await join({ name: "bob" });
    expect(bob.welcome.messages.map((message) => message.seq)).toEqual([3, 4, 5]);
    expect(bob.welcome.complete).toBe(false);
    const carol = await join({ name: "carol", since: 1 });
    expect(carol.welcome.messages.map((message) => message.seq)).toEqual([2, 3, 4, 5]);
    expect(carol.welcome.complete).toBe(true);
  });
});

describe("fan-out", () => {
  it("sends every chat to every connection, the sender included, in the same seq order everywhere", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    const room = { room: "fanout" };
    const people = await Promise.all(["ann", "ben", "cat"].map((name) => join({ ...room, name })));
    const perSender = 10;
    for (let i = 0; i < perSender; i++) {
      for (const [index, person] of people.entries()) person.send({ type: "chat", text: `${index}:${i}`, clientMsgId: `c${index}-${i}` });
    }
    const total = perSender * people.length;
    await Promise.all(people.map((person) => person.waitForCount("chat", total)));
    const logs = people.map((person) => person.ofType("chat"));
    for (const log of logs) {
      expect(log.map((chat) => chat.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(log).toEqual(logs[0]);
    }
    for (const [index, person] of people.entries()) {
      const mine = logs[0]?.filter((chat) => chat.from.id === person.welcome.you.id) ?? [];
      expect(mine.map((chat) => chat.text)).toEqual(Array.from({ length: perSender }, (_, i) => `${index}:${i}`));
      expect(mine.every((chat) => chat.from.name === person.welcome.you.name && chat.room === "fanout")).toBe(true);
      const acks = await person.waitForCount("ack", perSender);
      expect(acks.map((ack) => ack.seq)).toEqual(mine.map((chat) => chat.seq));
    }
    expect(new Set(logs[0]?.map((chat) => chat.id)).size).toBe(total);
    for (const person of people) expect(person.invalid).toEqual([]);
  });

  it("trims the text and keeps inner newlines", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    alice.send({ type: "chat", text: "  line one\nline two  ", clientMsgId: "nl" });
    const chat = await alice.waitForType("chat");
    expect(chat.text).toBe("line one\nline two");
  });

  it("keeps rooms apart", async () => {
    server = await fixture.start();
    const red = await join({ room: "red", name: "alice" });
    const blue = await join({ room: "blue", name: "bob" });
    red.send({ type: "chat", text: "in red", clientMsgId: "r1" });
    blue.send({ type: "chat", text: "in blue", clientMsgId: "b1" });
    const redChat = await red.waitForType("chat");
    const blueChat = await blue.waitForType("chat");
    expect(redChat).toMatchObject({ room: "red", seq: 1, text: "in red" });
    expect(blueChat).toMatchObject({ room: "blue", seq: 1, text: "in blue" });
    await red.waitForType("ack");
    await blue.waitForType("ack");
    expect(red.ofType("chat")).toHaveLength(1);
    expect(blue.ofType("chat")).toHaveLength(1);
  });

  it("answers ping with pong echoing t", async () => {
    server = await fixture.start();
    const alice = await join();
    alice.send({ type: "ping", t: 12345.5 });
    expect(await alice.waitForType("pong")).toEqual({ type: "pong", t: 12345.5 });
    const from = alice.frames.length;
    alice.send({ type: "ping" });
    expect(await alice.waitForType("pong", { from })).toEqual({ type: "pong" });
  });
});
