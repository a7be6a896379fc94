import { describe, expect, it } from "vitest";
import { ServerClock } from "../support/fake-clock";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

describe("joining and leaving", () => {
  it("a frame naming a room not joined gets not_joined with the room (and clientMsgId); such a chat is not stored", async () => {
    await fixture.start();
    const client = await fixture.join({ name: "alice", room: "here" });
    client.chat("elsewhere", "lost?", "c1");
    const refused = await client.waitForType("error");
    expect(refused).toEqual({ type: "error", code: "not_joined", message: expect.any(String), room: "elsewhere", clientMsgId: "c1" });
    for (const frame of [
      { type: "typing", room: "elsewhere", active: true },
      { type: "history", room: "elsewhere", before: 10, limit: 5 },
      { type: "history", room: "elsewhere", after: 0, limit: 5 },
      { type: "read", room: "elsewhere", seq: 1 },
      { type: "leave", room: "elsewhere" },
    ] as const) {
      const from = client.frames.length;
      client.send(frame);
      expect(await client.waitForType("error", { from })).toEqual({
        type: "error",
        code: "not_joined",
        message: expect.any(String),
        room: "elsewhere",
      });
    }
    const other = await fixture.join({ name: "bob", room: "elsewhere" });
    expect(other.joined.latestSeq).toBe(0);
    expect(other.joined.messages).toEqual([]);
    expect(client.ofType("ack")).toEqual([]);
  });

  it("a second join of the same room gets bad_request with the room, and the connection stays in it", async () => {
    await fixture.start();
    const client = await fixture.join({ name: "alice", room: "twice" });
    const from = client.frames.length;
    client.send({ type: "join", room: "twice" });
    expect(await client.waitForType("error", { from })).toEqual({
      type: "error",
      code: "bad_request",
      message: expect.any(String),
      room: "twice",
    });
    client.chat("twice", "still here", "c1");
    expect(await client.waitForType("ack")).toMatchObject({ room: "twice", seq: 1 });
    expect(client.ofType("joined")).toHaveLength(1);
    // Pipelined: the second join arrives while the first is in flight.
    const before = client.frames.length;
    client.send({ type: "join", room: "pair" });
    client.send({ type: "join", room: "pair" });
    expect(await client.waitForType("error", { from: before })).toMatchObject({ code: "bad_request", room: "pair" });
    await client.waitFor((frame) => frame.type === "joined" && frame.room === "pair", { from: before });
    expect(client.ofType("joined")).toHaveLength(2);
  });

  it("more rooms than MAX_ROOMS on one connection get too_many_rooms with the room", async () => {
    await fixture.start({ MAX_ROOMS: "2" });
    const client = await fixture.open({ name: "alice" });
    await client.join("a");
    await client.join("b");
    const from = client.frames.length;
    client.send({ type: "join", room: "c" });
    client.chat("c", "not stored", "c1");
    expect(await client.waitForType("error", { from })).toMatchObject({ code: "too_many_rooms", room: "c" });
    expect(await client.waitFor((frame) => frame.type === "error" && frame.code === "not_joined", { from })).toMatchObject({
      room: "c",
      clientMsgId: "c1",
    });
    // Leaving one makes room for another.
    await client.leave("a");
    expect((await client.join("c")).room).toBe("c");
  });

  it("a user's memberships count too: MAX_ROOMS memberships kept from an earlier connection refuse one more", async () => {
    await fixture.start({ MAX_ROOMS: "2" });
    const first = await fixture.open({ name: "alice" });
    await first.join("a");
    await first.join("b");
    await first.close();
    const second = await fixture.open({ session: first.ready.session });
    expect(second.ready.rooms.map((entry) => entry.room)).toEqual(["a", "b"]);
    const from = second.frames.length;
    second.send({ type: "join", room: "c" });
    expect(await second.waitForType("error", { from })).toMatchObject({ code: "too_many_rooms", room: "c" });
    // Joining a room one is already a member of is not a new membership.
    expect((await second.join("b")).room).toBe("b");
    await second.leave("b");
    expect((await second.join("c")).room).toBe("c");
    const third = await fixture.open({ session: first.ready.session });
    expect(third.ready.rooms.map((entry) => entry.room)).toEqual(["a", "c"]);
  });

  it("leave answers left, the others see the user leave at once (no grace), and the room sends nothing more", async () => {
    const clock = new ServerClock();
    const server = await fixture.start({ PRESENCE_GRACE_MS: "600000" }, { timers: clock });
    const alice = await fixture.join({ name: "alice", room: "r" });
    const bob = await fixture.join({ name: "bob", room: "r" });
    await alice.join("other");
    await clock.advance(server.config.limits.systemFlushMs);
    await bob.waitFor((frame) => (frame.type === "system" && frame.joined.length > 0) || frame.type === "joined");
    const from = bob.frames.length;
    await alice.leave("r");
    const leftAt = alice.frames.findIndex((frame) => frame.type === "left" && frame.room === "r");
    await clock.advance(server.config.limits.systemFlushMs);
    const seen = await bob.waitFor((frame) => frame.type === "system" && frame.left.length > 0, { from });
    expect(seen).toMatchObject({ room: "r", left: [alice.joined.you], memberCount: 1 });
    bob.chat("r", "after alice left", "b1");
    await bob.waitForType("ack");
    // alice gets nothing more from r, and a chat to r now is not_joined.
    alice.chat("r", "too late", "a1");
    expect(await alice.waitForType("error", { from: leftAt })).toMatchObject({ code: "not_joined", room: "r", clientMsgId: "a1" });
    alice.chat("other", "still in other", "a2");
    await alice.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "a2");
    expect(alice.frames.slice(leftAt + 1).filter((frame) => "room" in frame && frame.room === "r" && frame.type !== "error")).toEqual([]);
    // The membership ended: a new connection of alice's session is not a member of r.
    const again = await fixture.open({ session: alice.ready.session });
    expect(again.ready.rooms.map((entry) => entry.room)).toEqual(["other"]);
  });

  it("frames naming a room whose join is in flight wait for its joined; a leave pipelined after them comes last", async () => {
    await fixture.start();
    const client = await fixture.open({ name: "alice" });
    client.send({ type: "join", room: "quick" });
    client.chat("quick", "one", "q1");
    client.send({ type: "leave", room: "quick" });
    client.chat("quick", "after leave", "q2");
    client.send({ type: "join", room: "quick" });
    await client.waitFor((frame) => frame.type === "joined" && frame.room === "quick" && frame.latestSeq === 1);
    const types = client.frames
      .filter((frame) => "room" in frame && frame.room === "quick" && frame.type !== "system")
      .map((frame) => frame.type);
    expect(types).toEqual(["joined", "ack", "chat", "left", "error", "joined"]);
    expect(client.ofType("error")[0]).toMatchObject({ code: "not_joined", clientMsgId: "q2" });
  });
});

describe("pacing", () => {
  it("leave spends the chat budget, so a join-leave loop is paced: past it, rate_limited with the room, and the room stays joined", async () => {
    await fixture.start({ RATE_BURST: "3", RATE_PER_SECOND: "0.001" });
    const client = await fixture.open({ name: "looper" });
    for (let i = 0; i < 3; i++) {
      await client.join("loop");
      await client.leave("loop");
    }
    await client.join("loop");
    const from = client.frames.length;
    client.send({ type: "leave", room: "loop" });
    expect(await client.waitForType("error", { from })).toMatchObject({
      code: "rate_limited",
      room: "loop",
      retryAfterMs: expect.any(Number),
    });
    // Still joined: a second join is refused as one.
    client.send({ type: "join", room: "loop" });
    expect(await client.waitFor((frame) => frame.type === "error" && frame.code === "bad_request", { from })).toMatchObject({
      room: "loop",
    });
  });
});

describe("names across rooms", () => {
  it("rename applies in every joined room; name_taken names the room where another member holds it, and nothing is renamed", async () => {
    const clock = new ServerClock();
    const server = await fixture.start({}, { timers: clock });
    const flush = () => clock.advance(server.config.limits.systemFlushMs);
    const alice = await fixture.join({ name: "alice", room: "one" });
    await alice.join("two");
    const watcherOne = await fixture.join({ name: "w1", room: "one" });
    const carol = await fixture.join({ name: "carol", room: "two" });
    await flush();
    const fromOne = watcherOne.frames.length;
    const fromCarol = carol.frames.length;
    alice.send({ type: "rename", name: "carol" });
    expect(await alice.waitForType("error")).toMatchObject({ code: "name_taken", room: "two" });
    alice.send({ type: "rename", name: "alicia" });
    await flush();
    const renamedOne = await watcherOne.waitFor((frame) => frame.type === "system" && frame.renamed.length > 0, { from: fromOne });
    const renamedTwo = await carol.waitFor((frame) => frame.type === "system" && frame.renamed.length > 0, { from: fromCarol });
    const entry = { user: { id: alice.ready.you.id, name: "alicia" }, previousName: "alice" };
    expect(renamedOne).toMatchObject({ room: "one", renamed: [entry] });
    expect(renamedTwo).toMatchObject({ room: "two", renamed: [entry] });
    // The refused rename changed nothing anywhere: the only renamed entries are alicia's.
    const renames = [...watcherOne.frames.slice(fromOne), ...carol.frames.slice(fromCarol)].flatMap((frame) =>
      frame.type === "system" ? frame.renamed : [],
    );
    expect(renames).toEqual([entry, entry]);
    // The session keeps the name: a later connection and a later join use it.
    const again = await fixture.open({ session: alice.ready.session });
    expect(again.ready.you.name).toBe("alicia");
    expect((await again.join("three")).you.name).toBe("alicia");
  });
});
