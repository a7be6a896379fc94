/**
 * Black-box acceptance suite for protocol 2, written from the wire contract alone (the
 * contract text, plus the durability and hardening issues). The client side is raw `ws` with
 * hand-written exact key-set checks, so nothing here trusts the project's own schemas.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type StartedServer, startServer } from "../support/start-server";
import { type Frame, isInt, keysOf, RawClient, upgradeStatus } from "./raw-client";

const ERROR_CODES = [
  "bad_frame",
  "too_long",
  "rate_limited",
  "name_taken",
  "bad_request",
  "unsupported_protocol",
  "not_joined",
  "too_many_rooms",
  "not_found",
  "forbidden",
  "gone",
  "server_error",
];
const CLIENT_MSG_ID = /^[A-Za-z0-9_-]{1,64}$/;
const GUEST_NAME = /^guest-[a-z0-9]{4}$/;

// ---------------------------------------------------------------------------------------------
// Exact shapes, straight from the contract's tables
// ---------------------------------------------------------------------------------------------

function expectUser(value: unknown): void {
  expect(keysOf(value)).toEqual(["id", "name"]);
  const user = value as Record<string, unknown>;
  expect(typeof user.id).toBe("string");
  expect(typeof user.name).toBe("string");
  expect((user.id as string).length).toBeGreaterThan(0);
}

/**
 * A chat nobody changed. Live, it is exactly the message as sent; in a page ([3/6]) it stands as
 * it is now, which adds `rev`, equal to its `seq` when nothing changed it.
 */
function expectChat(frame: unknown, room?: string, where: "live" | "page" = "live"): asserts frame is Frame {
  const keys = ["clientMsgId", "from", "id", "room", "seq", "text", "ts", "type"];
  expect(keysOf(frame)).toEqual(where === "live" ? keys : [...keys, "rev"].sort());
  const chat = frame as Frame;
  if (where === "page") expect(chat.rev).toBe(chat.seq);
  expect(chat.type).toBe("chat");
  expect(typeof chat.room).toBe("string");
  if (room !== undefined) expect(chat.room).toBe(room);
  expect(isInt(chat.seq) && (chat.seq as number) >= 1).toBe(true);
  expect(typeof chat.id).toBe("string");
  expectUser(chat.from);
  expect(typeof chat.text).toBe("string");
  expect(isInt(chat.ts)).toBe(true);
  expect(chat.clientMsgId).toMatch(CLIENT_MSG_ID);
}

function expectSystem(frame: unknown, room: string): void {
  const keys = keysOf(frame);
  const base = ["joined", "left", "memberCount", "renamed", "room", "ts", "type"];
  expect(keys.filter((key) => key !== "notice")).toEqual(base);
  const system = frame as Frame;
  expect(system.type).toBe("system");
  expect(system.room).toBe(room);
  expect(isInt(system.ts)).toBe(true);
  expect(isInt(system.memberCount)).toBe(true);
  if (keys.includes("notice")) expect(typeof system.notice).toBe("string");
  for (const user of system.joined as unknown[]) expectUser(user);
  for (const user of system.left as unknown[]) expectUser(user);
  for (const entry of system.renamed as unknown[]) {
    expect(keysOf(entry)).toEqual(["previousName", "user"]);
    expectUser((entry as Frame).user);
    expect(typeof (entry as Frame).previousName).toBe("string");
  }
}

function expectError(frame: unknown, code: string, room?: string): void {
  const keys = keysOf(frame);
  expect(keys.filter((key) => key !== "clientMsgId" && key !== "retryAfterMs" && key !== "room")).toEqual(["code", "message", "type"]);
  const error = frame as Frame;
  expect(error.type).toBe("error");
  expect(ERROR_CODES).toContain(error.code);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  if (keys.includes("clientMsgId")) expect(error.clientMsgId).toMatch(CLIENT_MSG_ID);
  if (keys.includes("retryAfterMs")) expect(typeof error.retryAfterMs).toBe("number");
  if (room !== undefined) expect(error.room).toBe(room);
  if (keys.includes("room")) expect(typeof error.room).toBe("string");
}

function expectAck(frame: unknown, room?: string): void {
  expect(keysOf(frame)).toEqual(["clientMsgId", "room", "seq", "ts", "type"]);
  const ack = frame as Frame;
  expect(ack.type).toBe("ack");
  expect(typeof ack.room).toBe("string");
  if (room !== undefined) expect(ack.room).toBe(room);
  expect(ack.clientMsgId).toMatch(CLIENT_MSG_ID);
  expect(isInt(ack.seq) && (ack.seq as number) >= 1).toBe(true);
  expect(isInt(ack.ts)).toBe(true);
}

function expectHistory(frame: unknown, room: string, direction: "older" | "newer" = "older"): Frame[] {
  const flag = direction === "older" ? "hasOlder" : "hasNewer";
  expect(keysOf(frame)).toEqual([flag, "messages", "room", "type"].sort());
  const history = frame as Frame;
  expect(history.room).toBe(room);
  expect(typeof history[flag]).toBe("boolean");
  const messages = history.messages as Frame[];
  for (const message of messages) expectChat(message, room, "page");
  return messages;
}

function seqs(messages: unknown): number[] {
  return (messages as Frame[]).map((message) => message.seq as number);
}

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

// ---------------------------------------------------------------------------------------------
// Fixture: one server with the contract's defaults, one with raised rates for bulk history
// ---------------------------------------------------------------------------------------------

let server: StartedServer;
let bulk: StartedServer;
const opened: RawClient[] = [];
let roomCounter = 0;

/** A fresh, valid room name per call, so tests never see each other's traffic. */
function freshRoom(prefix = "r"): string {
  roomCounter++;
  return `${prefix}-${roomCounter}-${Math.random().toString(36).slice(2, 8)}`;
}

type Member = RawClient & { ready: Frame; joined: Frame };

interface JoinOptions {
  room?: string;
  name?: string;
  session?: string;
  since?: number;
}

/** Opens a connection, says hello (with `name` and `session` when given) and joins `room` (the lobby by default). */
async function join(target: StartedServer, options: JoinOptions = {}): Promise<Member> {
  const hello: Record<string, unknown> = {};
  if (options.name !== undefined) hello.name = options.name;
  if (options.session !== undefined) hello.session = options.session;
  const client = await open(target);
  const ready = await client.hello(hello);
  const joined = await client.join(options.room ?? "lobby", options.since);
  return Object.assign(client, { ready, joined });
}

/** Opens a socket (the query as given: protocol 2 sends none) and says nothing. */
async function open(target: StartedServer, query: Record<string, string | number> = {}): Promise<RawClient> {
  const client = await RawClient.open(target.wsUrl, query);
  opened.push(client);
  return client;
}

/** The user a connection is in `room`, from its joined frame. */
function you(client: Member): Frame {
  return client.joined.you as Frame;
}

/** The contract's answer to a bad hello: one `error bad_request`, then close 4501. */
async function expectRejectedHello(fields: Record<string, unknown>): Promise<void> {
  const client = await open(server);
  client.send({ type: "hello", protocol: 2, ...fields });
  const closed = await client.closeWithin();
  expect(closed.code, JSON.stringify(fields)).toBe(4501);
  expect(client.frames.length, JSON.stringify(fields)).toBe(1);
  expectError(client.frames[0], "bad_request");
  expect(client.ofType("ready")).toEqual([]);
}

/** The contract's answer to a join that does not decode: one `error bad_frame`, and the connection stays. */
async function expectRefusedJoin(client: RawClient, join: Record<string, unknown>): Promise<void> {
  const from = client.frames.length;
  client.send({ type: "join", ...join });
  expectError(await client.waitForType("error", { from }), "bad_frame");
  await client.roundTrip();
  expect(client.frames.slice(from).filter((frame) => frame.type === "joined")).toEqual([]);
  expect(client.isOpen).toBe(true);
}

/**
 * Waits until `client` has seen its own join announced: every join before it has been announced
 * too, so a later rename is announced as a rename (see the report: a rename inside the same
 * coalescing window as the renamer's join is folded into `joined`).
 */
async function joinAnnounced(client: Member): Promise<void> {
  const id = you(client).id;
  await client.waitFor((frame) => frame.type === "system" && (frame.joined as Frame[]).some((user) => user.id === id));
}

async function sendAndAck(client: RawClient, room: string, text: string, clientMsgId: string): Promise<Frame> {
  const from = client.frames.length;
  client.send({ type: "chat", room, text, clientMsgId });
  return client.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === clientMsgId, { from });
}

beforeAll(async () => {
  server = await startServer();
  bulk = await startServer({ RATE_PER_SECOND: "100000", RATE_BURST: "100000", PRESENCE_GRACE_MS: "3000" });
});

afterEach(async () => {
  await Promise.all(opened.splice(0).map((client) => client.close()));
});

afterAll(async () => {
  await server?.close();
  await bulk?.close();
});

// ---------------------------------------------------------------------------------------------

describe("hello, ready and joined", () => {
  it("ready has exactly the contract's keys and types, with a guest name, no rooms yet, and the limits", async () => {
    const client = await open(server);
    const ready = await client.hello();
    expect(keysOf(ready)).toEqual(["limits", "protocol", "rooms", "session", "type", "you"]);
    expect(ready.protocol).toBe(2);
    expectUser(ready.you);
    expect((ready.you as Frame).name).toMatch(GUEST_NAME);
    expect(typeof ready.session).toBe("string");
    expect((ready.session as string).length).toBeGreaterThan(0);
    expect(ready.rooms).toEqual([]);
    // exactly the six named limits, at the contract's defaults
    expect(ready.limits).toEqual({
      maxTextLength: 2000,
      maxFrameBytes: 16384,
      ratePerSecond: 5,
      burst: 20,
      maxRooms: 50,
      roomMentionMembersMax: 50,
    });
    expect(keysOf(ready.limits)).toEqual(["burst", "maxFrameBytes", "maxRooms", "maxTextLength", "ratePerSecond", "roomMentionMembersMax"]);
  });

  it("joined has exactly the contract's keys and types, and lists the joiner among the members", async () => {
    const client = await join(server);
    const joined = client.joined;
    expect(keysOf(joined)).toEqual([
      "complete",
      "latestSeq",
      "locked",
      "memberCount",
      "members",
      "messages",
      "notify",
      "private",
      "readSeq",
      "role",
      "room",
      "slowModeMs",
      "staff",
      "type",
      "unreadMentions",
      "you",
    ]);
    // The lobby is made by joining: open, ownerless, nobody is staff.
    expect([joined.role, joined.private, joined.locked, joined.slowModeMs, joined.staff]).toEqual(["member", false, false, 0, []]);
    expect(joined.room).toBe("lobby");
    expectUser(joined.you);
    expect(joined.you).toEqual(client.ready.you);
    expect(Array.isArray(joined.members)).toBe(true);
    for (const member of joined.members as unknown[]) expectUser(member);
    expect(joined.members as Frame[]).toContainEqual(joined.you);
    expect(isInt(joined.memberCount)).toBe(true);
    expect(joined.memberCount).toBeGreaterThanOrEqual((joined.members as unknown[]).length);
    expect(Array.isArray(joined.messages)).toBe(true);
    for (const message of joined.messages as unknown[]) expectChat(message, "lobby", "page");
    expect(isInt(joined.latestSeq)).toBe(true);
    expect(typeof joined.complete).toBe("boolean");
    expect(isInt(joined.readSeq)).toBe(true);
  });

  it("a new room starts empty and complete, and lists the joiner among its members", async () => {
    const room = freshRoom();
    const client = await join(server, { room, name: "first" });
    expect(client.joined.room).toBe(room);
    expect(client.joined.messages).toEqual([]);
    expect(client.joined.latestSeq).toBe(0);
    expect(client.joined.complete).toBe(true);
    expect(client.joined.readSeq).toBe(0);
    expect(client.joined.memberCount).toBe(1);
    expect(client.joined.members).toEqual([client.joined.you]);
    expect(you(client).name).toBe("first");
  });

  it("ready is the first frame on every connection, and joined the first about its room", async () => {
    const room = freshRoom();
    const a = await open(server);
    const b = await open(server);
    for (const client of [a, b]) {
      client.send({ type: "hello", protocol: 2 });
      client.send({ type: "join", room });
    }
    for (const client of [a, b]) await client.waitFor((frame) => frame.type === "joined");
    for (const client of [a, b]) {
      expect(client.frames[0]?.type).toBe("ready");
      expect(client.frames.find((frame) => frame.room === room)?.type).toBe("joined");
    }
  });

  it("leave answers exactly {type, room}; a frame naming a room not joined gets not_joined with the room", async () => {
    const room = freshRoom();
    const client = await join(server, { room });
    let from = client.frames.length;
    client.send({ type: "leave", room });
    const left = await client.waitForType("left", { from });
    expect(keysOf(left)).toEqual(["room", "type"]);
    expect(left).toEqual({ type: "left", room });
    from = client.frames.length;
    client.send({ type: "chat", room, text: "after leaving", clientMsgId: "gone-1" });
    const error = await client.waitForType("error", { from });
    expectError(error, "not_joined", room);
    expect(error.clientMsgId).toBe("gone-1");
  });

  it("a protocol 1 URL gets unsupported_protocol and 4505; hello must come first, and say protocol 2", async () => {
    const outdated = await open(server, { room: "lobby", name: "old" });
    expect((await outdated.closeWithin()).code).toBe(4505);
    expect(outdated.frames).toHaveLength(1);
    expectError(outdated.frames[0], "unsupported_protocol");

    const wrongVersion = await open(server);
    wrongVersion.send({ type: "hello", protocol: 1 });
    expect((await wrongVersion.closeWithin()).code).toBe(4505);
    expect(wrongVersion.frames).toHaveLength(1);
    expectError(wrongVersion.frames[0], "unsupported_protocol");

    const noHello = await open(server);
    noHello.send({ type: "join", room: "lobby" });
    expect((await noHello.closeWithin()).code).toBe(4501);
    expect(noHello.frames).toHaveLength(1);
    expectError(noHello.frames[0], "bad_request");
  });
});

describe("hello and join fields", () => {
  it("room: 32 characters, digits, inner '-' and '_' are accepted", async () => {
    const client = await open(server);
    await client.hello();
    for (const room of ["a".repeat(32), "0", "a-b_c", "9-"]) {
      const joined = await client.join(room);
      expect(joined.room).toBe(room);
    }
  });

  it("room: 33 characters, uppercase, a leading '-' or '_', empty, other characters get bad_frame and the connection stays", async () => {
    const client = await open(server);
    await client.hello();
    for (const room of ["a".repeat(33), "Abc", "-ab", "_ab", "", "a.b", "a b", "ä"]) await expectRefusedJoin(client, { room });
  });

  it("name: NFKC-normalized and trimmed, counted in code points", async () => {
    const room = freshRoom();
    const cases: Array<[string, string]> = [
      ["ｆｕｌｌ", "full"],
      ["  bob  ", "bob"],
      ["\u3000ideo\u3000", "ideo"],
      ["ﬁne", "fine"],
      ["😀".repeat(32), "😀".repeat(32)],
      ["x".repeat(32), "x".repeat(32)],
      ["q", "q"],
    ];
    for (const [sent, expected] of cases) {
      const client = await join(server, { room, name: sent });
      expect((client.ready.you as Frame).name, JSON.stringify(sent)).toBe(expected);
      expect(you(client).name, JSON.stringify(sent)).toBe(expected);
    }
  });

  it("name: empty, too long, control, zero-width or bidi-override characters in hello are a bad request", async () => {
    const bad = [
      "",
      "   ",
      "😀".repeat(33),
      "x".repeat(33),
      "a\u0007b",
      "a\nb",
      "a\u200bb",
      "a\u200db",
      "a\ufeffb",
      "a\u202eb",
      "a\u202ab",
      "a\u2066b",
    ];
    for (const name of bad) await expectRejectedHello({ name });
  });

  it("the default name is guest- plus 4 base36 characters", async () => {
    const room = freshRoom();
    for (let i = 0; i < 5; i++) {
      const client = await join(server, { room });
      expect(you(client).name).toMatch(GUEST_NAME);
    }
  });

  it("since: must be an integer >= 0", async () => {
    const client = await open(server);
    await client.hello();
    for (const since of [-1, "abc", 1.5, ""]) await expectRefusedJoin(client, { room: freshRoom(), since });
    const ok = await client.join(freshRoom(), 0);
    expect(ok.complete).toBe(true);
  });

  it("session: a token that was never issued grants no existing identity (a bad request or a fresh user)", async () => {
    const room = freshRoom();
    const member = await join(server, { room, name: "member" });
    for (const session of ["garbage", "not-a-real-session-token", `${member.ready.session as string}x`]) {
      const client = await open(server);
      client.send({ type: "hello", protocol: 2, session });
      const first = await client.waitFor(() => true);
      if (first.type === "ready") {
        expect((first.you as Frame).id).not.toBe(you(member).id);
        expect(first.session).not.toBe(member.ready.session);
        expect(member.isOpen).toBe(true);
      } else {
        expectError(first, "bad_request");
        expect((await client.closeWithin()).code).toBe(4501);
      }
      await client.close();
    }
  });

  it("a name held by another user gets a suffix, and joined says which name was given", async () => {
    const room = freshRoom();
    const first = await join(server, { room, name: "alice" });
    const second = await join(server, { room, name: "alice" });
    const third = await join(server, { room, name: "alice" });
    expect(you(first).name).toBe("alice");
    expect(you(second).name).toBe("alice (2)");
    expect(you(third).name).toBe("alice (3)");
    const names = (third.joined.members as Frame[]).map((member) => member.name).sort();
    expect(names).toEqual(["alice", "alice (2)", "alice (3)"]);
    // the same name after NFKC is the same name
    const wide = await join(server, { room, name: "ａｌｉｃｅ" });
    expect(you(wide).name).toBe("alice (4)");
  });
});

describe("chat, seq and ack", () => {
  it("a chat reaches every connection in the room, the sender's included, with exactly the contract's keys", async () => {
    const room = freshRoom();
    const sender = await join(server, { room, name: "sender" });
    const other = await join(server, { room, name: "other" });
    const before = Date.now();
    sender.send({ type: "chat", room, text: "hello\nworld", clientMsgId: "m-1" });
    const mine = await sender.waitForType("chat");
    const theirs = await other.waitForType("chat");
    const after = Date.now();
    expectChat(mine, room);
    expect(theirs).toEqual(mine);
    expect(mine.seq).toBe(1);
    expect(mine.text).toBe("hello\nworld");
    expect(mine.clientMsgId).toBe("m-1");
    expect(mine.from).toEqual(you(sender));
    // ts is the server's clock in ms since the epoch (same machine: allow generous slack)
    expect(mine.ts as number).toBeGreaterThanOrEqual(before - 60_000);
    expect(mine.ts as number).toBeLessThanOrEqual(after + 60_000);
  });

  it("seq starts at 1 in every room, goes up by exactly 1, and rooms count independently; ids are unique", async () => {
    const roomA = freshRoom("a");
    const roomB = freshRoom("b");
    const a = await join(server, { room: roomA });
    const b = await join(server, { room: roomB });
    for (let i = 1; i <= 5; i++) await sendAndAck(a, roomA, `a${i}`, `a${i}`);
    for (let i = 1; i <= 3; i++) await sendAndAck(b, roomB, `b${i}`, `b${i}`);
    await a.until(() => (a.ofType("chat").length >= 5 ? true : undefined));
    await b.until(() => (b.ofType("chat").length >= 3 ? true : undefined));
    expect(seqs(a.ofType("chat"))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(b.ofType("chat"))).toEqual([1, 2, 3]);
    const ids = [...a.ofType("chat"), ...b.ofType("chat")].map((chat) => chat.id);
    expect(new Set(ids).size).toBe(ids.length);
    const late = await join(server, { room: roomA });
    expect(late.joined.latestSeq).toBe(5);
    expect(seqs(late.joined.messages)).toEqual([1, 2, 3, 4, 5]);
  });

  it("two rooms on one connection, interleaved: each room's chats keep their own seq, and every frame names its room", async () => {
    const roomA = freshRoom("a");
    const roomB = freshRoom("b");
    const client = await join(server, { room: roomA });
    await client.join(roomB);
    const other = await join(server, { room: roomB });
    for (let i = 1; i <= 3; i++) {
      await sendAndAck(client, roomA, `a${i}`, `ia${i}`);
      await sendAndAck(other, roomB, `b${i}`, `ib${i}`);
    }
    await client.until(() => (client.ofType("chat").length >= 6 ? true : undefined));
    for (const chat of client.ofType("chat")) expectChat(chat);
    expect(seqs(client.ofType("chat").filter((chat) => chat.room === roomA))).toEqual([1, 2, 3]);
    expect(seqs(client.ofType("chat").filter((chat) => chat.room === roomB))).toEqual([1, 2, 3]);
    for (const ack of client.ofType("ack")) expectAck(ack, roomA);
  });

  it("ack has exactly {type, room, clientMsgId, seq, ts}, matches the stored chat, and goes to the sender only", async () => {
    const room = freshRoom();
    const sender = await join(server, { room });
    const observer = await join(server, { room });
    const ack = await sendAndAck(sender, room, "acked", "ack-1");
    expectAck(ack, room);
    const chat = await observer.waitForType("chat");
    expect(ack).toEqual({ type: "ack", room, clientMsgId: "ack-1", seq: chat.seq, ts: chat.ts });
    await observer.roundTrip();
    await sender.roundTrip();
    expect(observer.ofType("ack")).toEqual([]);
    expect(sender.ofType("ack")).toHaveLength(1);
  });

  it("a resent clientMsgId is not stored or broadcast again, and gets the original ack (also across a reconnect)", async () => {
    const room = freshRoom();
    const sender = await join(server, { room });
    const observer = await join(server, { room });
    const original = await sendAndAck(sender, room, "once", "dup-1");
    const again = await sendAndAck(sender, room, "once", "dup-1");
    expect(again).toEqual(original);
    // a later message proves the observer is caught up past any second broadcast
    await sendAndAck(sender, room, "after", "dup-2");
    await observer.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "dup-2");
    expect(observer.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);
    await sender.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "dup-2");
    expect(sender.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);

    await sender.close();
    const resumed = await join(server, { room, session: sender.ready.session as string, since: 2 });
    const third = await sendAndAck(resumed, room, "once, with other text", "dup-1");
    expect(third).toEqual(original);
    await sendAndAck(resumed, room, "last", "dup-3");
    await observer.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "dup-3");
    expect(observer.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);
    expect(seqs(observer.ofType("chat"))).toEqual([1, 2, 3]);
  });

  it("text: 2000 code points (not UTF-16 units) after trimming are accepted; 2001 get too_long with the clientMsgId and room", async () => {
    const room = freshRoom();
    const client = await join(server, { room });
    const exact = await sendAndAck(client, room, ` ${"😀".repeat(2000)} `, "len-2000");
    expectAck(exact, room);
    const stored = await client.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "len-2000");
    expect([...(stored.text as string)]).toHaveLength(2000);

    const from = client.frames.length;
    client.send({ type: "chat", room, text: "😀".repeat(2001), clientMsgId: "len-2001" });
    const error = await client.waitForType("error", { from });
    expectError(error, "too_long", room);
    expect(error.clientMsgId).toBe("len-2001");
    await client.roundTrip();
    expect(client.ofType("ack").map((ack) => ack.clientMsgId)).toEqual(["len-2000"]);
    expect(client.isOpen).toBe(true);
  });

  it("clientMsgId: 64 characters of [A-Za-z0-9_-] are accepted; 65, a space or empty are rejected with an error", async () => {
    const room = freshRoom();
    const client = await join(server, { room });
    expectAck(await sendAndAck(client, room, "x", `${"a".repeat(62)}_-`), room);
    for (const clientMsgId of ["a".repeat(65), "a b", ""]) {
      const from = client.frames.length;
      client.send({ type: "chat", room, text: "x", clientMsgId });
      expectError(await client.waitForType("error", { from }), "bad_frame");
    }
    await client.roundTrip();
    expect(client.ofType("ack")).toHaveLength(1);
  });
});

describe("since, complete and history", () => {
  const TOTAL = 520;
  let room: string;

  beforeAll(async () => {
    room = freshRoom("big");
    const writer = await RawClient.joined(bulk.wsUrl, room, { hello: { name: "writer" } });
    for (let i = 1; i <= TOTAL; i++) writer.send({ type: "chat", room, text: `m${i}`, clientMsgId: `c${i}` });
    await writer.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === `c${TOTAL}`, { timeoutMs: 30_000 });
    await writer.close();
  });

  it("without since: the latest 50, oldest first", async () => {
    const client = await join(bulk, { room });
    expect(client.joined.latestSeq).toBe(TOTAL);
    expect(seqs(client.joined.messages)).toEqual(range(TOTAL - 49, TOTAL));
    for (const message of client.joined.messages as unknown[]) expectChat(message, room, "page");
    expect((client.joined.messages as Frame[])[0]?.text).toBe(`m${TOTAL - 49}`);
  });

  it("with since: every chat after it, at most 500, and complete says whether any were left out", async () => {
    const cases: Array<[number, number[], boolean]> = [
      [0, range(TOTAL - 499, TOTAL), false],
      [TOTAL - 501, range(TOTAL - 499, TOTAL), false],
      [TOTAL - 500, range(TOTAL - 499, TOTAL), true],
      [TOTAL - 499, range(TOTAL - 498, TOTAL), true],
      [TOTAL - 1, [TOTAL], true],
      [TOTAL, [], true],
      [TOTAL + 100, [], true],
    ];
    for (const [since, expected, complete] of cases) {
      const client = await join(bulk, { room, since });
      expect(seqs(client.joined.messages), `since=${since}`).toEqual(expected);
      expect(client.joined.complete, `since=${since}`).toBe(complete);
      expect(client.joined.latestSeq).toBe(TOTAL);
      await client.close();
    }
  });

  it("history before pages older messages, oldest first, with hasOlder", async () => {
    const client = await join(bulk, { room, since: 0 });
    const ask = async (before: number, limit: number) => {
      const from = client.frames.length;
      client.send({ type: "history", room, before, limit });
      return client.waitForType("history", { from });
    };
    // the gap the since=0 joined left: seq 1..20
    let page = await ask(TOTAL - 499, 100);
    expect(seqs(expectHistory(page, room))).toEqual(range(1, TOTAL - 500));
    expect(page.hasOlder).toBe(false);

    page = await ask(TOTAL - 49, 100);
    expect(seqs(expectHistory(page, room))).toEqual(range(TOTAL - 149, TOTAL - 50));
    expect(page.hasOlder).toBe(true);

    page = await ask(101, 100);
    expect(seqs(expectHistory(page, room))).toEqual(range(1, 100));
    expect(page.hasOlder).toBe(false);

    page = await ask(5, 1);
    expect(seqs(expectHistory(page, room))).toEqual([4]);
    expect(page.hasOlder).toBe(true);

    page = await ask(1, 10);
    expect(expectHistory(page, room)).toEqual([]);
    expect(page.hasOlder).toBe(false);
  });

  it("history after fills the gap a joined left, oldest first, with hasNewer, up to the room's latest", async () => {
    const client = await join(bulk, { room, since: 0 });
    expect(client.joined.complete).toBe(false);
    const ask = async (after: number, limit: number) => {
      const from = client.frames.length;
      client.send({ type: "history", room, after, limit });
      return client.waitForType("history", { from });
    };
    // the gap the since=0 joined left: seq 1..20, in pages forward from since
    let page = await ask(0, 15);
    expect(seqs(expectHistory(page, room, "newer"))).toEqual(range(1, 15));
    expect(page.hasNewer).toBe(true);
    page = await ask(15, 100);
    expect(seqs(expectHistory(page, room, "newer"))).toEqual(range(16, 115));
    expect(page.hasNewer).toBe(true);
    page = await ask(TOTAL - 3, 100);
    expect(seqs(expectHistory(page, room, "newer"))).toEqual(range(TOTAL - 2, TOTAL));
    expect(page.hasNewer).toBe(false);
    page = await ask(TOTAL, 100);
    expect(expectHistory(page, room, "newer")).toEqual([]);
    expect(page.hasNewer).toBe(false);
  });

  it("history limit 0 or 101, both or neither of before and after (and other invalid values) get an error bad_frame and the connection stays open", async () => {
    const other = freshRoom();
    const client = await join(bulk, { room: other });
    for (const frame of [
      { type: "history", room: other, before: 5, limit: 0 },
      { type: "history", room: other, before: 5, limit: 101 },
      { type: "history", room: other, before: 5, limit: 2.5 },
      { type: "history", room: other, before: -1, limit: 5 },
      { type: "history", room: other, limit: 5 },
      { type: "history", room: other, before: 5, after: 1, limit: 5 },
      { type: "history", room: other, after: -1, limit: 5 },
      { type: "history", before: 5, limit: 5 },
    ]) {
      const from = client.frames.length;
      client.send(frame);
      expectError(await client.waitForType("error", { from }), "bad_frame");
    }
    await client.roundTrip();
    expect(client.ofType("history")).toEqual([]);
    expect(client.isOpen).toBe(true);
  });
});

describe("typing, rename, ping", () => {
  it("typing reaches the others as {type, room, user, active} and expires by itself", async () => {
    const room = freshRoom();
    const typist = await join(server, { room });
    const reader = await join(server, { room });
    typist.send({ type: "typing", room, active: true });
    const started = await reader.waitForType("typing");
    expect(keysOf(started)).toEqual(["active", "room", "type", "user"]);
    expect(started).toEqual({ type: "typing", room, user: you(typist), active: true });
    // no explicit stop: the server lets it expire (after 5 s)
    const stopped = await reader.waitFor((frame) => frame.type === "typing" && frame.active === false, { timeoutMs: 20_000 });
    expect(stopped).toEqual({ type: "typing", room, user: you(typist), active: false });
  });

  it("rename: a system frame with renamed [{user, previousName}] reaches everyone, and later chats carry the new name", async () => {
    const room = freshRoom();
    const renamer = await join(server, { room, name: "oldname" });
    const observer = await join(server, { room, name: "watcher" });
    await joinAnnounced(observer);
    renamer.send({ type: "rename", name: "  ｎｅｗname " });
    const isRename = (frame: Frame) => frame.type === "system" && (frame.renamed as unknown[]).length > 0;
    const seen = await observer.waitFor(isRename);
    expectSystem(seen, room);
    expect(seen.renamed).toEqual([{ user: { id: you(renamer).id, name: "newname" }, previousName: "oldname" }]);
    expect(seen.memberCount).toBe(2);
    expect(await renamer.waitFor(isRename)).toEqual(seen);
    await sendAndAck(renamer, room, "hi", "after-rename");
    const chat = await observer.waitForType("chat");
    expect(chat.from).toEqual({ id: you(renamer).id, name: "newname" });
  });

  it("rename to a name held by another user: error name_taken and no change", async () => {
    const room = freshRoom();
    const renamer = await join(server, { room, name: "keeper" });
    const holder = await join(server, { room, name: "taken" });
    await joinAnnounced(holder);
    const from = renamer.frames.length;
    renamer.send({ type: "rename", name: "taken" });
    const error = await renamer.waitForType("error", { from });
    expectError(error, "name_taken", room);
    // no change: the next successful rename still starts from the old name
    renamer.send({ type: "rename", name: "keeper2" });
    const renamed = await holder.waitFor((frame) => frame.type === "system" && (frame.renamed as unknown[]).length > 0);
    expect(renamed.renamed).toEqual([{ user: { id: you(renamer).id, name: "keeper2" }, previousName: "keeper" }]);
    expect(holder.ofType("system").flatMap((frame) => frame.renamed as unknown[])).toHaveLength(1);
    expect(renamer.isOpen).toBe(true);
  });

  it("ping echoes t; a ping without t gets a pong without t", async () => {
    const client = await join(server, { room: freshRoom() });
    let from = client.frames.length;
    client.send({ type: "ping", t: 12345.5 });
    expect(await client.waitForType("pong", { from })).toEqual({ type: "pong", t: 12345.5 });
    from = client.frames.length;
    client.send({ type: "ping" });
    const bare = await client.waitForType("pong", { from });
    expect(keysOf(bare)).toEqual(["type"]);
  });
});

describe("the client's fault is not fatal", () => {
  it("bad JSON, unknown types, unknown fields, a spoofed from and prototype keys each get an error bad_frame and the connection stays open", async () => {
    const room = freshRoom();
    const client = await join(server, { room });
    const peer = await join(server, { room });
    const bad = [
      "not json",
      "[]",
      "null",
      '{"type":"nope"}',
      '{"type":"ping","extra":1}',
      `{"type":"chat","room":"${room}","text":"x","clientMsgId":"spoof","from":{"id":"u_x","name":"admin"}}`,
      '{"__proto__":{"polluted":1},"type":"ping"}',
    ];
    for (const raw of bad) {
      const from = client.frames.length;
      client.sendText(raw);
      const error = await client.waitForType("error", { from });
      expectError(error, "bad_frame");
    }
    await client.roundTrip();
    expect(client.isOpen).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // still a working member of the room, and nothing spoofed was stored
    await sendAndAck(client, room, "still here", "still-1");
    const chat = await peer.waitForType("chat");
    expect(chat.seq).toBe(1);
    expect(chat.from).toEqual(you(client));
  });

  it("10 bad frames within 10 s close with 4501; 9 do not", async () => {
    const client = await join(server, { room: freshRoom() });
    for (let i = 0; i < 9; i++) client.sendText("{broken");
    await client.roundTrip();
    expect(client.ofType("error")).toHaveLength(9);
    for (const error of client.ofType("error")) expectError(error, "bad_frame");
    expect(client.isOpen).toBe(true);
    client.sendText("{broken");
    expect((await client.closeWithin()).code).toBe(4501);
  });

  it("a binary frame closes with 1003", async () => {
    const client = await join(server, { room: freshRoom() });
    client.sendBinary(Buffer.from(JSON.stringify({ type: "ping" })));
    expect((await client.closeWithin()).code).toBe(1003);
  });

  it("a frame larger than 16 KiB closes with 1009; exactly 16 KiB is fine", async () => {
    const fits = await join(server, { room: freshRoom() });
    const padded = JSON.stringify({ type: "ping", t: 7 }).padEnd(16384, " ");
    expect(Buffer.byteLength(padded)).toBe(16384);
    const from = fits.frames.length;
    fits.sendText(padded);
    expect(await fits.waitForType("pong", { from })).toEqual({ type: "pong", t: 7 });

    const tooBig = await join(server, { room: freshRoom() });
    tooBig.sendText(JSON.stringify({ type: "chat", room: "lobby", text: "x".repeat(16400), clientMsgId: "big" }));
    expect((await tooBig.closeWithin()).code).toBe(1009);
  });

  it("flooding gets rate_limited with retryAfterMs, then a close with 4029, while the room keeps working", async () => {
    const room = freshRoom();
    const flooder = await join(server, { room });
    const peer = await join(server, { room });
    let sent = 0;
    while (flooder.isOpen && sent < 5000) {
      const from = flooder.frames.length;
      for (let i = 0; i < 25 && flooder.isOpen; i++) flooder.send({ type: "chat", room, text: "spam", clientMsgId: `f${sent++}` });
      // Paced by the server, not a clock: the next batch goes once this one has been answered.
      await flooder.until(() => (flooder.frames.length > from ? true : undefined)).catch(() => undefined);
    }
    expect((await flooder.closeWithin(20_000)).code).toBe(4029);
    const limited = flooder.ofType("error").filter((error) => error.code === "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expectError(error, "rate_limited", room);
      expect(error.retryAfterMs as number).toBeGreaterThan(0);
    }
    // everything acked reached the peer, nothing else did, and the peer can still chat
    const acked = flooder.ofType("ack").map((ack) => ack.clientMsgId);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.length).toBeLessThan(sent);
    await sendAndAck(peer, room, "I can still talk", "peer-1");
    await peer.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "peer-1");
    const peerChats = peer.ofType("chat").map((chat) => chat.clientMsgId);
    expect(peerChats).toEqual([...acked, "peer-1"]);
    expect(seqs(peer.ofType("chat"))).toEqual(range(1, acked.length + 1));
  });
});

describe("sessions, origins and presence", () => {
  it("a session keeps its user id, name and rooms, and the open connection it replaces is closed with 4001", async () => {
    const room = freshRoom();
    const original = await join(server, { room, name: "ann" });
    const observer = await join(server, { room, name: "obs" });
    const replacement = await join(server, { room, session: original.ready.session as string, name: "someone-else" });
    expect(replacement.ready.you).toEqual(original.ready.you);
    expect(replacement.ready.session).toBe(original.ready.session);
    expect(replacement.ready.rooms).toEqual([{ room, latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" }]);
    expect(you(replacement)).toEqual(you(original));
    expect((await original.closeWithin()).code).toBe(4001);
    expect(replacement.isOpen).toBe(true);
    expect(replacement.joined.memberCount).toBe(2);
    await joinAnnounced(observer);
    // a renamed user comes back under the new name
    replacement.send({ type: "rename", name: "ann-renamed" });
    await observer.waitFor((frame) => frame.type === "system" && (frame.renamed as unknown[]).length > 0);
    const again = await join(server, { room, session: original.ready.session as string });
    expect(again.ready.you).toEqual({ id: you(original).id, name: "ann-renamed" });
    expect(you(again)).toEqual({ id: you(original).id, name: "ann-renamed" });
    expect((await replacement.closeWithin()).code).toBe(4001);
  });

  it("a browser Origin that is not allowed gets HTTP 403; the server's own origin and no Origin are allowed", async () => {
    expect(await upgradeStatus(server.wsUrl, { origin: "https://evil.example" })).toBe(403);
    expect(await upgradeStatus(server.wsUrl, { origin: "null" })).toBe(403);
    expect(await upgradeStatus(server.wsUrl, { origin: server.url })).toBe(101);
    expect(await upgradeStatus(server.wsUrl, {})).toBe(101);
  });

  it("system frames are coalesced: 30 joins at once cost an observer far fewer than 30 frames, and name everyone", async () => {
    const room = freshRoom("storm");
    const observer = await join(server, { room, name: "observer" });
    const start = observer.frames.length;
    const names = Array.from({ length: 30 }, (_, i) => `joiner-${i}`);
    await Promise.all(names.map((name) => join(server, { room, name })));
    await observer.until(() => {
      const joined = new Set(
        observer.frames
          .slice(start)
          .filter((frame) => frame.type === "system")
          .flatMap((frame) => (frame.joined as Frame[]).map((user) => user.name)),
      );
      return names.every((name) => joined.has(name)) ? true : undefined;
    }, 20_000);
    const systems = observer.frames.slice(start).filter((frame) => frame.type === "system");
    for (const frame of systems) expectSystem(frame, room);
    expect(systems.length).toBeLessThan(30);
    expect(Math.max(...systems.map((frame) => (frame.joined as unknown[]).length))).toBeGreaterThan(1);
    expect(systems.at(-1)?.memberCount).toBe(31);
  });

  it("presence grace: a quick reconnect with the session shows observers no left/joined pair", async () => {
    const room = freshRoom();
    const observer = await join(bulk, { room, name: "observer" });
    const dropper = await join(bulk, { room, name: "dropper" });
    await observer.waitFor((frame) => frame.type === "system" && (frame.joined as Frame[]).some((user) => user.name === "dropper"));
    const start = observer.frames.length;
    const id = you(dropper).id;

    // a network drop, and a reload (1001), each followed by an immediate resume
    dropper.socket.terminate();
    await dropper.closed;
    const back = await join(bulk, { room, session: dropper.ready.session as string });
    expect(you(back)).toEqual(you(dropper));
    back.socket.close(1001);
    await back.closed;
    const backAgain = await join(bulk, { room, session: dropper.ready.session as string });
    expect(backAgain.joined.memberCount).toBe(2);

    // now leave for good: the observer must see exactly one left for the user, and never a joined
    await backAgain.close();
    await observer.waitFor((frame) => frame.type === "system" && (frame.left as Frame[]).some((user) => user.id === id), {
      from: start,
      timeoutMs: 20_000,
    });
    const systems = observer.frames.slice(start).filter((frame) => frame.type === "system");
    expect(systems.flatMap((frame) => frame.joined as Frame[]).filter((user) => user.id === id)).toEqual([]);
    expect(systems.flatMap((frame) => frame.left as Frame[]).filter((user) => user.id === id)).toHaveLength(1);
  });

  it("shutdown: a system notice, then close 1001", async () => {
    const own = await startServer();
    try {
      const room = freshRoom();
      const client = await RawClient.joined(own.wsUrl, room);
      const from = client.frames.length;
      const closing = own.close();
      const closed = await client.closeWithin(20_000);
      await closing;
      expect(closed.code).toBe(1001);
      const notices = client.frames.slice(from).filter((frame) => frame.type === "system" && "notice" in frame);
      expect(notices).toHaveLength(1);
      expectSystem(notices[0], room);
      expect(typeof notices[0]?.notice).toBe("string");
      expect(String(notices[0]?.notice).length).toBeGreaterThan(0);
    } finally {
      await own.close();
    }
  });
});
