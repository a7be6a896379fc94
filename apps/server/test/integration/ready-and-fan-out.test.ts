import { DEFAULT_LIMITS, PROTOCOL_VERSION, serverFrameSchema } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();
const { join } = fixture;
let server: StartedServer;

describe("ready and joined", () => {
  it("ready is the first frame and describes the user and the limits; joined describes the room", async () => {
    server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl);
    fixture.track(client);
    const ready = await client.hello({ name: "alice" });
    expect(client.frames[0]).toBe(ready);
    expect(serverFrameSchema.safeParse(ready).success).toBe(true);
    expect(Object.keys(ready).sort()).toEqual(["type", "protocol", "you", "session", "rooms", "limits"].sort());
    expect(ready.protocol).toBe(PROTOCOL_VERSION);
    expect(ready.you.name).toBe("alice");
    expect(ready.you.id).toMatch(/\S/);
    expect(ready.session).toMatch(/^[A-Za-z0-9_-]{16,128}$/);
    expect(ready.rooms).toEqual([]);
    expect(ready.limits).toEqual({
      maxTextLength: DEFAULT_LIMITS.maxTextLength,
      maxFrameBytes: DEFAULT_LIMITS.maxFrameBytes,
      ratePerSecond: DEFAULT_LIMITS.ratePerSecond,
      burst: DEFAULT_LIMITS.burst,
      maxRooms: DEFAULT_LIMITS.maxRooms,
      roomMentionMembersMax: DEFAULT_LIMITS.roomMentionMembersMax,
    });

    const joined = await client.join("kitchen");
    expect(client.frames[1]).toBe(joined);
    expect(serverFrameSchema.safeParse(joined).success).toBe(true);
    expect(Object.keys(joined).sort()).toEqual(
      [
        "type",
        "room",
        "you",
        "members",
        "memberCount",
        "messages",
        "latestSeq",
        "complete",
        "readSeq",
        "role",
        "private",
        "locked",
        "slowModeMs",
        "staff",
      ].sort(),
    );
    expect(joined.room).toBe("kitchen");
    expect(joined.you).toEqual(ready.you);
    expect(joined.members).toEqual([joined.you]);
    expect(joined.memberCount).toBe(1);
    expect(joined.messages).toEqual([]);
    expect(joined.latestSeq).toBe(0);
    expect(joined.complete).toBe(true);
    expect(joined.readSeq).toBe(0);
    expect(client.invalid).toEqual([]);
  });

  it("gives a guest name when hello has none, and reports configured limits", async () => {
    server = await fixture.start({ MAX_TEXT_LENGTH: "500", RATE_PER_SECOND: "2", RATE_BURST: "7", MAX_ROOMS: "3" });
    const { ready, joined } = await join({ room: "lobby" });
    expect(ready.you.name).toMatch(/^guest-[a-z0-9]{4}$/);
    expect(joined.you).toEqual(ready.you);
    expect(ready.limits).toMatchObject({ maxTextLength: 500, ratePerSecond: 2, burst: 7, maxRooms: 3 });
  });

  it("a join names its room: protocol 1's default room is gone", async () => {
    // Protocol 1 joined `lobby` when the query named no room; a protocol 2 join without a room
    // does not decode, so it joins nothing.
    server = await fixture.start();
    const client = await TestClient.open(server.wsUrl, { name: "alice" });
    fixture.track(client);
    client.sendRaw(JSON.stringify({ type: "join" }));
    expect((await client.waitForType("error")).code).toBe("bad_frame");
    client.send({ type: "ping", t: 1 });
    await client.waitForType("pong");
    expect(client.ofType("joined")).toEqual([]);
  });

  it("lists the members already present, and carries the latest messages with seq", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    alice.chat("lobby", "hello", "m1");
    await alice.waitForType("ack");
    const bob = await join({ name: "bob" });
    expect(bob.joined.memberCount).toBe(2);
    expect(bob.joined.members.map((member) => member.name).sort()).toEqual(["alice", "bob"]);
    expect(bob.joined.latestSeq).toBe(1);
    expect(bob.joined.messages).toMatchObject([
      { type: "chat", room: "lobby", seq: 1, text: "hello", from: alice.joined.you, clientMsgId: "m1" },
    ]);
  });

  it("carries only the latest WELCOME_LATEST messages without since, with complete=false", async () => {
    server = await fixture.start({ WELCOME_LATEST: "3", RATE_BURST: "100" });
    const alice = await join({ name: "alice" });
    for (let i = 1; i <= 5; i++) alice.chat("lobby", `m${i}`, `m${i}`);
    await alice.waitForCount("ack", 5);
    const bob = await join({ name: "bob" });
    expect(bob.joined.messages.map((message) => message.seq)).toEqual([3, 4, 5]);
    expect(bob.joined.complete).toBe(false);
    const carol = await join({ name: "carol", since: 1 });
    expect(carol.joined.messages.map((message) => message.seq)).toEqual([2, 3, 4, 5]);
    expect(carol.joined.complete).toBe(true);
  });
});

describe("fan-out", () => {
  it("sends every chat to every connection, the sender included, in the same seq order everywhere", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    const room = "fanout";
    const people = await Promise.all(["ann", "ben", "cat"].map((name) => join({ room, name })));
    const perSender = 10;
    for (let i = 0; i < perSender; i++) {
      for (const [index, person] of people.entries()) person.chat(room, `${index}:${i}`, `c${index}-${i}`);
    }
    const total = perSender * people.length;
    await Promise.all(people.map((person) => person.waitForCount("chat", total)));
    const logs = people.map((person) => person.ofType("chat"));
    for (const log of logs) {
      expect(log.map((chat) => chat.seq)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      expect(log).toEqual(logs[0]);
    }
    for (const [index, person] of people.entries()) {
      const mine = logs[0]?.filter((chat) => chat.from.id === person.joined.you.id) ?? [];
      expect(mine.map((chat) => chat.text)).toEqual(Array.from({ length: perSender }, (_, i) => `${index}:${i}`));
      expect(mine.every((chat) => chat.from.name === person.joined.you.name && chat.room === "fanout")).toBe(true);
      const acks = await person.waitForCount("ack", perSender);
      expect(acks.map((ack) => ack.seq)).toEqual(mine.map((chat) => chat.seq));
      expect(acks.every((ack) => ack.room === "fanout")).toBe(true);
    }
    expect(new Set(logs[0]?.map((chat) => chat.id)).size).toBe(total);
    for (const person of people) expect(person.invalid).toEqual([]);
  });

  it("trims the text and keeps inner newlines", async () => {
    server = await fixture.start();
    const alice = await join({ name: "alice" });
    alice.chat("lobby", "  line one\nline two  ", "nl");
    const chat = await alice.waitForType("chat");
    expect(chat.text).toBe("line one\nline two");
  });

  it("keeps rooms apart", async () => {
    server = await fixture.start();
    const red = await join({ room: "red", name: "alice" });
    const blue = await join({ room: "blue", name: "bob" });
    red.chat("red", "in red", "r1");
    blue.chat("blue", "in blue", "b1");
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
