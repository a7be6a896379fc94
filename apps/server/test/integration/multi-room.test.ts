// Protocol 2's one connection for many rooms: rooms interleaved on one socket keep their own seq
// order, frames for rooms not joined are refused, joins and leaves make and end memberships, and
// read markers and unread counts come back in `ready`.
import { CLOSE_CODES, type ServerFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ServerClock } from "../support/fake-clock";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

const fixture = useTestServer();
const { join } = fixture;
let server: StartedServer;

/** The seqs of the chats `client` saw in `room`, joined frame, pages and live stream together. */
const seqsIn = (client: TestClient, room: string) => client.chatFrames(room).map((chat) => chat.seq);
const oneTo = (count: number) => Array.from({ length: count }, (_, i) => i + 1);

describe("two rooms on one connection", () => {
  it("interleaved chats keep each room gap-free in its own seq, the same on every connection", async () => {
    server = await fixture.start({ RATE_BURST: "1000", RATE_PER_SECOND: "1000" });
    const alice = await join({ room: "red", name: "alice" });
    await alice.join("blue");
    const bob = await join({ room: "blue", name: "bob" });
    await bob.join("red");
    const perRoom = 30;
    for (let i = 0; i < perRoom; i++) {
      alice.chat("red", `a red ${i}`, `a-red-${i}`);
      bob.chat("blue", `b blue ${i}`, `b-blue-${i}`);
      alice.chat("blue", `a blue ${i}`, `a-blue-${i}`);
      bob.chat("red", `b red ${i}`, `b-red-${i}`);
    }
    const total = 4 * perRoom;
    await Promise.all([alice, bob].map((client) => client.waitForCount("chat", total)));
    for (const client of [alice, bob]) {
      for (const room of ["red", "blue"]) {
        expect(seqsIn(client, room), `${room} on ${client.ready.you.name}`).toEqual(oneTo(2 * perRoom));
        expect(client.ofType("chat").filter((chat) => chat.room === room)).toEqual(
          bob.ofType("chat").filter((chat) => chat.room === room),
        );
      }
      // Every ack names its room and the seq its message got there.
      const acks = await client.waitForCount("ack", 2 * perRoom);
      const chats = new Map(client.ofType("chat").map((chat) => [`${chat.room}|${chat.clientMsgId}`, chat.seq]));
      for (const ack of acks) expect(chats.get(`${ack.room}|${ack.clientMsgId}`)).toBe(ack.seq);
      expect(client.invalid).toEqual([]);
      expect(client.ofType("error")).toEqual([]);
    }
    // Each room's messages in its own order, from both senders.
    const redTexts = alice.ofType("chat").filter((chat) => chat.room === "red");
    expect(redTexts.filter((chat) => chat.from.id === alice.ready.you.id).map((chat) => chat.text)).toEqual(
      Array.from({ length: perRoom }, (_, i) => `a red ${i}`),
    );
  });

  it("presence is per room: a user in two rooms is listed in both, and leaving one lists them in the other only", async () => {
    const clock = new ServerClock();
    server = await fixture.start({ PRESENCE_GRACE_MS: "60000" }, { timers: clock });
    const alice = await join({ room: "red", name: "alice" });
    await alice.join("blue");
    const inRed = await join({ room: "red", name: "watcher-red" });
    const inBlue = await join({ room: "blue", name: "watcher-blue" });
    expect(inRed.joined.members.map((member) => member.name).sort()).toEqual(["alice", "watcher-red"]);
    expect(inBlue.joined.members.map((member) => member.name).sort()).toEqual(["alice", "watcher-blue"]);

    const from = inRed.frames.length;
    const leftAt = clock.now();
    await alice.leave("blue");
    // An explicit leave is told at once: no grace period (a minute here), only the system frames'
    // coalescing window, which closes as the server's clock moves on.
    const isAliceLeaving = (frame: ServerFrame) => frame.type === "system" && frame.left.some((user) => user.id === alice.ready.you.id);
    await waitUntil(
      async () => {
        await clock.advance(server.config.limits.systemFlushMs);
        return inBlue.frames.some(isAliceLeaving);
      },
      { what: "blue to see alice leave" },
    );
    expect(clock.now() - leftAt).toBeLessThan(server.config.limits.presenceGraceMs);
    const left = await inBlue.waitFor(isAliceLeaving);
    expect(left).toMatchObject({ room: "blue", memberCount: 1 });
    inRed.send({ type: "ping", t: 1 });
    await inRed.waitForType("pong", { from });
    expect(inRed.frames.slice(from).filter((frame) => frame.type === "system" && frame.left.length > 0)).toEqual([]);
    const rooms = (await (await fetch(`${server.url}/api/rooms`)).json()) as { rooms: Array<{ name: string; memberCount: number }> };
    expect(rooms.rooms).toEqual(
      expect.arrayContaining([
        { name: "red", memberCount: 2 },
        { name: "blue", memberCount: 1 },
      ]),
    );
  });
});

describe("rooms not joined", () => {
  it("every room frame for a room not joined gets not_joined with the room, and a chat so refused is not stored", async () => {
    server = await fixture.start();
    const alice = await join({ room: "mine", name: "alice" });
    const frames = [
      { type: "chat", room: "other", text: "sneaky", clientMsgId: "nj-1" },
      { type: "typing", room: "other", active: true },
      { type: "history", room: "other", before: 10, limit: 10 },
      { type: "history", room: "other", after: 0, limit: 10 },
      { type: "read", room: "other", seq: 1 },
      { type: "leave", room: "other" },
    ] as const;
    for (const frame of frames) alice.send(frame);
    const errors = await alice.waitForCount("error", frames.length);
    expect(errors.map((error) => [error.code, error.room])).toEqual(frames.map(() => ["not_joined", "other"]));
    expect(errors[0]?.clientMsgId).toBe("nj-1");
    expect(alice.ofType("ack")).toEqual([]);
    expect(await server.app.backend.messages.latestSeq("other")).toBe(0);
    // Not a fatal mistake: the connection and its room carry on.
    alice.chat("mine", "still fine", "ok-1");
    expect(await alice.waitForType("ack")).toMatchObject({ room: "mine", clientMsgId: "ok-1", seq: 1 });
  });

  it("a connection that has said hello but joined nothing gets not_joined too", async () => {
    server = await fixture.start();
    const lonely = await TestClient.open(server.wsUrl, { name: "lonely" });
    fixture.track(lonely);
    lonely.chat("lobby", "anyone?", "lonely-1");
    expect(await lonely.waitForType("error")).toMatchObject({ code: "not_joined", room: "lobby", clientMsgId: "lonely-1" });
    expect(await server.app.backend.messages.latestSeq("lobby")).toBe(0);
  });
});

describe("join and leave", () => {
  it("joining a room already joined, or still being joined, gets bad_request with the room", async () => {
    server = await fixture.start();
    const alice = await join({ room: "twice", name: "alice" });
    alice.send({ type: "join", room: "twice" });
    expect(await alice.waitForType("error")).toMatchObject({ code: "bad_request", room: "twice" });
    expect(alice.isOpen).toBe(true);
    // Two joins pipelined: the first is answered with joined, the second refused.
    const from = alice.frames.length;
    alice.send({ type: "join", room: "pipelined" });
    alice.send({ type: "join", room: "pipelined" });
    await alice.waitFor((frame) => frame.type === "joined" && frame.room === "pipelined", { from });
    const refused = await alice.waitFor((frame) => frame.type === "error" && frame.room === "pipelined", { from });
    expect(refused).toMatchObject({ code: "bad_request", room: "pipelined" });
    expect(alice.ofType("joined").filter((joined) => joined.room === "pipelined")).toHaveLength(1);
    alice.send({ type: "ping", t: 1 });
    await alice.waitForType("pong");
    expect(alice.isOpen).toBe(true);
  });

  it("past maxRooms a join gets too_many_rooms, on one connection and for the user's memberships across connections", async () => {
    server = await fixture.start({ MAX_ROOMS: "2" });
    const alice = await join({ room: "one", name: "alice" });
    expect(alice.ready.limits.maxRooms).toBe(2);
    await alice.join("two");
    alice.send({ type: "join", room: "three" });
    expect(await alice.waitForType("error")).toMatchObject({ code: "too_many_rooms", room: "three" });
    expect(alice.ofType("joined").map((joined) => joined.room)).toEqual(["one", "two"]);
    alice.chat("three", "no", "three-1");
    expect(await alice.waitFor((frame) => frame.type === "error" && frame.code !== "too_many_rooms")).toMatchObject({
      code: "not_joined",
      room: "three",
    });

    // A new connection of the same user holds the same memberships: still no room for a third.
    const again = await TestClient.open(server.wsUrl, { session: alice.ready.session });
    fixture.track(again);
    expect(again.ready.rooms.map((entry) => entry.room)).toEqual(["one", "two"]);
    again.send({ type: "join", room: "three" });
    expect(await again.waitForType("error")).toMatchObject({ code: "too_many_rooms", room: "three" });
    // Leaving one makes room.
    await again.join("one");
    await again.leave("one");
    expect((await again.join("three")).room).toBe("three");
  });

  it("leave answers left, ends the membership, and frames for the room afterwards get not_joined", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    const alice = await join({ room: "stay", name: "alice" });
    await alice.join("go");
    alice.chat("go", "before leaving", "go-1");
    await alice.waitForType("ack");
    await alice.leave("go");
    expect(alice.ofType("left")).toEqual([{ type: "left", room: "go" }]);
    const from = alice.frames.length;
    alice.chat("go", "after leaving", "go-2");
    expect(await alice.waitForType("error", { from })).toMatchObject({ code: "not_joined", room: "go", clientMsgId: "go-2" });
    expect(await server.app.backend.messages.latestSeq("go")).toBe(1);
    // Chats in the room after the leave do not reach the connection.
    const other = await join({ room: "go", name: "other" });
    other.chat("go", "you left", "other-1");
    await other.waitForType("ack");
    alice.send({ type: "ping", t: 1 });
    await alice.waitForType("pong", { from });
    expect(alice.ofType("chat").map((chat) => chat.clientMsgId)).toEqual(["go-1"]);

    const again = await TestClient.open(server.wsUrl, { session: alice.ready.session });
    fixture.track(again);
    expect(again.ready.rooms.map((entry) => entry.room)).toEqual(["stay"]);
    // Joining again starts read at the room's latest seq.
    const rejoined = await again.join("go");
    expect(rejoined).toMatchObject({ latestSeq: 2, readSeq: 2 });
  });
});

describe("read markers and unread counts", () => {
  it("ready reports each membership's latestSeq, readSeq and unread: others' chats after the marker, exactly", async () => {
    server = await fixture.start({ RATE_BURST: "100" });
    const bob = await join({ room: "busy", name: "bob" });
    bob.chat("busy", "before alice", "b-0");
    await bob.waitForType("ack");
    const alice = await join({ room: "busy", name: "alice" });
    // A new membership starts read up to the room's latest seq.
    expect(alice.joined).toMatchObject({ latestSeq: 1, readSeq: 1 });
    await alice.join("quiet");
    for (let i = 1; i <= 3; i++) bob.chat("busy", `b${i}`, `b-${i}`);
    await bob.waitForCount("ack", 4);
    alice.chat("busy", "mine", "a-1");
    await alice.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "a-1");
    bob.chat("busy", "b4", "b-4");
    await alice.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "b-4");

    /** A fresh connection of alice's session (which replaces the last): its ready's rooms. */
    const roomsNow = async () => {
      const next = await TestClient.open(server.wsUrl, { session: alice.ready.session });
      fixture.track(next);
      return next.ready.rooms;
    };
    // seqs 2, 3, 4 and 6 are bob's; 5 is alice's own.
    expect(await roomsNow()).toEqual([
      { room: "busy", latestSeq: 6, readSeq: 1, unread: 4 },
      { room: "quiet", latestSeq: 0, readSeq: 0, unread: 0 },
    ]);

    const reader = await TestClient.open(server.wsUrl, { session: alice.ready.session });
    fixture.track(reader);
    await reader.join("busy", { since: 6 });
    reader.send({ type: "read", room: "busy", seq: 3 });
    // A lower marker is ignored.
    reader.send({ type: "read", room: "busy", seq: 2 });
    reader.send({ type: "ping", t: 1 });
    await reader.waitForType("pong");
    expect(reader.ofType("error")).toEqual([]);
    const afterRead = await waitForRooms(roomsNow, (rooms) => rooms[0]?.readSeq === 3);
    expect(afterRead[0]).toEqual({ room: "busy", latestSeq: 6, readSeq: 3, unread: 2 });

    // A marker past the latest seq is clamped to it.
    const last = await TestClient.open(server.wsUrl, { session: alice.ready.session });
    fixture.track(last);
    const joined = await last.join("busy");
    expect(joined.readSeq).toBe(3);
    last.send({ type: "read", room: "busy", seq: 1_000 });
    // Read in by the server before the next connection of the session replaces this one.
    last.send({ type: "ping", t: 2 });
    await last.waitForType("pong");
    const clamped = await waitForRooms(roomsNow, (rooms) => rooms[0]?.readSeq !== 3);
    expect(clamped[0]).toEqual({ room: "busy", latestSeq: 6, readSeq: 6, unread: 0 });
  });
});

/**
 * Reads `read` (each call a new connection) until `done` holds: a read marker has no answer frame,
 * so its write is seen only in a later ready.
 */
async function waitForRooms<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  let last: T | undefined;
  await waitUntil(
    async () => {
      last = await read();
      return done(last);
    },
    { what: "the read marker to be stored", intervalMs: 50, describe: () => JSON.stringify(last) },
  ).catch(() => undefined); // the expectations after it say what differs
  return last ?? read();
}

describe("rename across rooms", () => {
  it("applies in every joined room, and name_taken in any one of them renames nothing", async () => {
    const clock = new ServerClock();
    server = await fixture.start({}, { timers: clock });
    const alice = await join({ room: "red", name: "alice" });
    await alice.join("blue");
    const carol = await join({ room: "blue", name: "carol" });
    const dave = await join({ room: "red", name: "dave" });
    // The join announcements go out first, so the rename is not folded into a join.
    await clock.advance(server.config.limits.systemFlushMs);
    await alice.waitFor((frame) => frame.type === "system" && frame.joined.some((user) => user.id === dave.ready.you.id));
    const isRename = (frame: ServerFrame) => frame.type === "system" && frame.renamed.length > 0;

    alice.send({ type: "rename", name: "Carol" });
    expect(await alice.waitForType("error")).toMatchObject({ code: "name_taken", room: "blue" });
    alice.send({ type: "rename", name: "erin" });
    // The system frames' window closes as the server's clock moves on.
    await waitUntil(
      async () => {
        await clock.advance(server.config.limits.systemFlushMs);
        return carol.frames.some(isRename) && dave.frames.some(isRename);
      },
      { what: "the rename to reach both rooms" },
    );
    const inBlue = await carol.waitFor(isRename);
    const inRed = await dave.waitFor(isRename);
    const renamed = [{ user: { id: alice.ready.you.id, name: "erin" }, previousName: "alice" }];
    expect(inBlue).toMatchObject({ room: "blue", renamed });
    expect(inRed).toMatchObject({ room: "red", renamed });
    // The refused rename changed nothing anywhere: only the second one was told.
    expect([...carol.frames, ...dave.frames].filter(isRename)).toHaveLength(2);
    alice.chat("red", "new name", "r-1");
    expect((await dave.waitForType("chat")).from).toEqual({ id: alice.ready.you.id, name: "erin" });
  });
});

describe("the handshake", () => {
  it("a first frame other than hello gets bad_request and 4501", async () => {
    server = await fixture.start();
    for (const first of [JSON.stringify({ type: "join", room: "lobby" }), JSON.stringify({ type: "ping" }), "{not json"]) {
      const client = await TestClient.connect(server.wsUrl);
      fixture.track(client);
      client.sendRaw(first);
      expect(await client.waitForType("error")).toMatchObject({ code: "bad_request" });
      expect((await client.waitForClose()).code).toBe(CLOSE_CODES.badRequest.code);
      expect(client.ofType("ready")).toEqual([]);
    }
  });

  it("a hello for another protocol gets unsupported_protocol and 4505", async () => {
    server = await fixture.start();
    for (const protocol of [1, 3]) {
      const client = await TestClient.connect(server.wsUrl);
      fixture.track(client);
      client.send({ type: "hello", protocol, name: "old" });
      expect(await client.waitForType("error")).toMatchObject({ code: "unsupported_protocol" });
      expect((await client.waitForClose()).code).toBe(CLOSE_CODES.unsupportedProtocol.code);
      expect(client.ofType("ready")).toEqual([]);
    }
  });

  it("a second hello gets bad_request and the connection stays open", async () => {
    server = await fixture.start();
    const client = await join({ name: "alice" });
    client.send({ type: "hello", protocol: 2, name: "again" });
    const error = await client.waitForType("error");
    expect(error.code).toBe("bad_request");
    expect(error.room).toBeUndefined();
    client.chat("lobby", "still here", "h-1");
    await client.waitForType("ack");
    expect(client.ofType("ready")).toHaveLength(1);
  });

  it("no hello within helloTimeoutMs on the server's clock closes with 4408", async () => {
    const clock = new ServerClock();
    server = await fixture.start({}, { timers: clock });
    const silent = await TestClient.connect(server.wsUrl);
    fixture.track(silent);
    const greeted = await TestClient.connect(server.wsUrl);
    fixture.track(greeted);
    await greeted.hello({ name: "prompt" });
    await server.waitForConnections(2);
    await clock.advance(server.config.limits.helloTimeoutMs - 1);
    // A WebSocket-level ping is no protocol frame; its pong comes after any close the server sent.
    await new Promise((resolve) => {
      silent.socket.once("pong", resolve);
      silent.socket.ping();
    });
    expect(silent.isOpen).toBe(true);
    await clock.advance(1);
    const closed = await silent.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.helloTimeout.code);
    expect(greeted.isOpen).toBe(true);
  });
});
