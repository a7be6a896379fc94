/**
 * Black-box acceptance suite for protocol v1, written from the wire contract alone (the
 * contract text, plus the durability and hardening issues). The client side is raw `ws` with
 * hand-written exact key-set checks, so nothing here trusts the project's own schemas.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type StartedServer, startServer } from "../support/start-server";
import { type Frame, isInt, keysOf, RawClient, upgradeStatus } from "./raw-client";

const ERROR_CODES = ["bad_frame", "too_long", "rate_limited", "name_taken", "bad_request", "server_error"];
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

function expectChat(frame: unknown, room?: string): asserts frame is Frame {
  expect(keysOf(frame)).toEqual(["clientMsgId", "from", "id", "room", "seq", "text", "ts", "type"]);
  const chat = frame as Frame;
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

function expectError(frame: unknown, code: string): void {
  const keys = keysOf(frame);
  expect(keys.filter((key) => key !== "clientMsgId" && key !== "retryAfterMs")).toEqual(["code", "message", "type"]);
  const error = frame as Frame;
  expect(error.type).toBe("error");
  expect(ERROR_CODES).toContain(error.code);
  expect(error.code).toBe(code);
  expect(typeof error.message).toBe("string");
  if (keys.includes("clientMsgId")) expect(error.clientMsgId).toMatch(CLIENT_MSG_ID);
  if (keys.includes("retryAfterMs")) expect(typeof error.retryAfterMs).toBe("number");
}

function expectAck(frame: unknown): void {
  expect(keysOf(frame)).toEqual(["clientMsgId", "seq", "ts", "type"]);
  const ack = frame as Frame;
  expect(ack.type).toBe("ack");
  expect(ack.clientMsgId).toMatch(CLIENT_MSG_ID);
  expect(isInt(ack.seq) && (ack.seq as number) >= 1).toBe(true);
  expect(isInt(ack.ts)).toBe(true);
}

function expectHistory(frame: unknown, room: string): Frame[] {
  expect(keysOf(frame)).toEqual(["hasOlder", "messages", "room", "type"]);
  const history = frame as Frame;
  expect(history.room).toBe(room);
  expect(typeof history.hasOlder).toBe("boolean");
  const messages = history.messages as Frame[];
  for (const message of messages) expectChat(message, room);
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

async function join(target: StartedServer, query: Record<string, string | number> = {}): Promise<RawClient & { welcome: Frame }> {
  const client = await RawClient.join(target.wsUrl, query);
  opened.push(client);
  return client;
}

async function open(target: StartedServer, query: Record<string, string | number> = {}): Promise<RawClient> {
  const client = await RawClient.open(target.wsUrl, query);
  opened.push(client);
  return client;
}

/** The contract's answer to a bad query: upgrade, one `error bad_request`, then close 4501. */
async function expectRejectedQuery(query: Record<string, string | number>): Promise<void> {
  const client = await open(server, query);
  const closed = await client.closeWithin();
  expect(closed.code, JSON.stringify(query)).toBe(4501);
  expect(client.frames.length, JSON.stringify(query)).toBe(1);
  expectError(client.frames[0], "bad_request");
  expect(client.ofType("welcome")).toEqual([]);
}

/**
 * Waits until `client` has seen its own join announced: every join before it has been announced
 * too, so a later rename is announced as a rename (see the report: a rename inside the same
 * coalescing window as the renamer's join is folded into `joined`).
 */
async function joinAnnounced(client: RawClient & { welcome: Frame }): Promise<void> {
  const id = (client.welcome.you as Frame).id;
  await client.waitFor((frame) => frame.type === "system" && (frame.joined as Frame[]).some((user) => user.id === id));
}

async function sendAndAck(client: RawClient, text: string, clientMsgId: string): Promise<Frame> {
  const from = client.frames.length;
  client.send({ type: "chat", text, clientMsgId });
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

describe("welcome", () => {
  it("has exactly the contract's keys and types, with the default room, guest name and limits", async () => {
    const client = await join(server);
    const welcome = client.welcome;
    expect(keysOf(welcome)).toEqual([
      "complete",
      "latestSeq",
      "limits",
      "memberCount",
      "members",
      "messages",
      "protocol",
      "room",
      "session",
      "type",
      "you",
    ]);
    expect(welcome.protocol).toBe(1);
    expect(welcome.room).toBe("lobby");
    expectUser(welcome.you);
    const you = welcome.you as Frame;
    expect(you.name).toMatch(GUEST_NAME);
    expect(typeof welcome.session).toBe("string");
    expect((welcome.session as string).length).toBeGreaterThan(0);
    expect(Array.isArray(welcome.members)).toBe(true);
    for (const member of welcome.members as unknown[]) expectUser(member);
    expect(welcome.members as Frame[]).toContainEqual(you);
    expect(isInt(welcome.memberCount)).toBe(true);
    expect(welcome.memberCount).toBeGreaterThanOrEqual((welcome.members as unknown[]).length);
    expect(Array.isArray(welcome.messages)).toBe(true);
    for (const message of welcome.messages as unknown[]) expectChat(message, "lobby");
    expect(isInt(welcome.latestSeq)).toBe(true);
    expect(typeof welcome.complete).toBe("boolean");
    // exactly the four named limits, at the contract's defaults
    expect(welcome.limits).toEqual({ maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20 });
    expect(keysOf(welcome.limits)).toEqual(["burst", "maxFrameBytes", "maxTextLength", "ratePerSecond"]);
  });

  it("a new room starts empty and complete, and lists the joiner among its members", async () => {
    const room = freshRoom();
    const client = await join(server, { room, name: "first" });
    expect(client.welcome.room).toBe(room);
    expect(client.welcome.messages).toEqual([]);
    expect(client.welcome.latestSeq).toBe(0);
    expect(client.welcome.complete).toBe(true);
    expect(client.welcome.memberCount).toBe(1);
    expect(client.welcome.members).toEqual([client.welcome.you]);
    expect((client.welcome.you as Frame).name).toBe("first");
  });

  it("the welcome is the first frame on every connection", async () => {
    const room = freshRoom();
    const a = await open(server, { room });
    const b = await open(server, { room });
    await a.waitFor(() => true);
    await b.waitFor(() => true);
    expect(a.frames[0]?.type).toBe("welcome");
    expect(b.frames[0]?.type).toBe("welcome");
  });
});

describe("connect query", () => {
  it("room: 32 characters, digits, inner '-' and '_' are accepted", async () => {
    for (const room of ["a".repeat(32), "0", "a-b_c", "9-"]) {
      const client = await join(server, { room });
      expect(client.welcome.room).toBe(room);
    }
  });

  it("room: 33 characters, uppercase, a leading '-' or '_', empty, other characters are a bad request", async () => {
    for (const room of ["a".repeat(33), "Abc", "-ab", "_ab", "", "a.b", "a b", "ä"]) await expectRejectedQuery({ room });
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
      expect((client.welcome.you as Frame).name, JSON.stringify(sent)).toBe(expected);
    }
  });

  it("name: empty, too long, control, zero-width or bidi-override characters are a bad request", async () => {
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
    for (const name of bad) await expectRejectedQuery({ room: freshRoom(), name });
  });

  it("the default name is guest- plus 4 base36 characters", async () => {
    const room = freshRoom();
    for (let i = 0; i < 5; i++) {
      const client = await join(server, { room });
      expect((client.welcome.you as Frame).name).toMatch(GUEST_NAME);
    }
  });

  it("since: must be an integer >= 0", async () => {
    for (const since of ["-1", "abc", "1.5", ""]) await expectRejectedQuery({ since });
    const ok = await join(server, { room: freshRoom(), since: 0 });
    expect(ok.welcome.complete).toBe(true);
  });

  it("session: a token that was never issued grants no existing identity (a bad request or a fresh user)", async () => {
    const room = freshRoom();
    const member = await join(server, { room, name: "member" });
    for (const session of ["garbage", "not-a-real-session-token", `${member.welcome.session as string}x`]) {
      const client = await open(server, { room, session });
      const first = await client.waitFor(() => true);
      if (first.type === "welcome") {
        expect((first.you as Frame).id).not.toBe((member.welcome.you as Frame).id);
        expect(first.session).not.toBe(member.welcome.session);
        expect(member.isOpen).toBe(true);
      } else {
        expectError(first, "bad_request");
        expect((await client.closeWithin()).code).toBe(4501);
      }
      await client.close();
    }
  });

  it("a name held by another user gets a suffix, and the welcome says which name was given", async () => {
    const room = freshRoom();
    const first = await join(server, { room, name: "alice" });
    const second = await join(server, { room, name: "alice" });
    const third = await join(server, { room, name: "alice" });
    expect((first.welcome.you as Frame).name).toBe("alice");
    expect((second.welcome.you as Frame).name).toBe("alice (2)");
    expect((third.welcome.you as Frame).name).toBe("alice (3)");
    const names = (third.welcome.members as Frame[]).map((member) => member.name).sort();
    expect(names).toEqual(["alice", "alice (2)", "alice (3)"]);
    // the same name after NFKC is the same name
    const wide = await join(server, { room, name: "ａｌｉｃｅ" });
    expect((wide.welcome.you as Frame).name).toBe("alice (4)");
  });
});

describe("chat, seq and ack", () => {
  it("a chat reaches every connection, the sender's included, with exactly the contract's keys", async () => {
    const room = freshRoom();
    const sender = await join(server, { room, name: "sender" });
    const other = await join(server, { room, name: "other" });
    const before = Date.now();
    sender.send({ type: "chat", text: "hello\nworld", clientMsgId: "m-1" });
    const mine = await sender.waitForType("chat");
    const theirs = await other.waitForType("chat");
    const after = Date.now();
    expectChat(mine, room);
    expect(theirs).toEqual(mine);
    expect(mine.seq).toBe(1);
    expect(mine.text).toBe("hello\nworld");
    expect(mine.clientMsgId).toBe("m-1");
    expect(mine.from).toEqual(sender.welcome.you);
    // ts is the server's clock in ms since the epoch (same machine: allow generous slack)
    expect(mine.ts as number).toBeGreaterThanOrEqual(before - 60_000);
    expect(mine.ts as number).toBeLessThanOrEqual(after + 60_000);
  });

  it("seq starts at 1 in every room, goes up by exactly 1, and rooms count independently; ids are unique", async () => {
    const roomA = freshRoom("a");
    const roomB = freshRoom("b");
    const a = await join(server, { room: roomA });
    const b = await join(server, { room: roomB });
    for (let i = 1; i <= 5; i++) await sendAndAck(a, `a${i}`, `a${i}`);
    for (let i = 1; i <= 3; i++) await sendAndAck(b, `b${i}`, `b${i}`);
    await a.until(() => (a.ofType("chat").length >= 5 ? true : undefined));
    await b.until(() => (b.ofType("chat").length >= 3 ? true : undefined));
    expect(seqs(a.ofType("chat"))).toEqual([1, 2, 3, 4, 5]);
    expect(seqs(b.ofType("chat"))).toEqual([1, 2, 3]);
    const ids = [...a.ofType("chat"), ...b.ofType("chat")].map((chat) => chat.id);
    expect(new Set(ids).size).toBe(ids.length);
    const late = await join(server, { room: roomA });
    expect(late.welcome.latestSeq).toBe(5);
    expect(seqs(late.welcome.messages)).toEqual([1, 2, 3, 4, 5]);
  });

  it("ack has exactly {type, clientMsgId, seq, ts}, matches the stored chat, and goes to the sender only", async () => {
    const room = freshRoom();
    const sender = await join(server, { room });
    const observer = await join(server, { room });
    const ack = await sendAndAck(sender, "acked", "ack-1");
    expectAck(ack);
    const chat = await observer.waitForType("chat");
    expect(ack).toEqual({ type: "ack", clientMsgId: "ack-1", seq: chat.seq, ts: chat.ts });
    await observer.roundTrip();
    await sender.roundTrip();
    expect(observer.ofType("ack")).toEqual([]);
    expect(sender.ofType("ack")).toHaveLength(1);
  });

  it("a resent clientMsgId is not stored or broadcast again, and gets the original ack (also across a reconnect)", async () => {
    const room = freshRoom();
    const sender = await join(server, { room });
    const observer = await join(server, { room });
    const original = await sendAndAck(sender, "once", "dup-1");
    const again = await sendAndAck(sender, "once", "dup-1");
    expect(again).toEqual(original);
    // a later message proves the observer is caught up past any second broadcast
    await sendAndAck(sender, "after", "dup-2");
    await observer.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "dup-2");
    expect(observer.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);
    await sender.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "dup-2");
    expect(sender.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);

    await sender.close();
    const resumed = await join(server, { room, session: sender.welcome.session as string, since: 2 });
    const third = await sendAndAck(resumed, "once, with other text", "dup-1");
    expect(third).toEqual(original);
    await sendAndAck(resumed, "last", "dup-3");
    await observer.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "dup-3");
    expect(observer.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);
    expect(seqs(observer.ofType("chat"))).toEqual([1, 2, 3]);
  });

  it("text: 2000 code points (not UTF-16 units) after trimming are accepted; 2001 get too_long with the clientMsgId", async () => {
    const room = freshRoom();
    const client = await join(server, { room });
    const exact = await sendAndAck(client, ` ${"😀".repeat(2000)} `, "len-2000");
    expectAck(exact);
    const stored = await client.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "len-2000");
    expect([...(stored.text as string)]).toHaveLength(2000);

    const from = client.frames.length;
    client.send({ type: "chat", text: "😀".repeat(2001), clientMsgId: "len-2001" });
    const error = await client.waitForType("error", { from });
    expectError(error, "too_long");
    expect(error.clientMsgId).toBe("len-2001");
    await client.roundTrip();
    expect(client.ofType("ack").map((ack) => ack.clientMsgId)).toEqual(["len-2000"]);
    expect(client.isOpen).toBe(true);
  });

  it("clientMsgId: 64 characters of [A-Za-z0-9_-] are accepted; 65, a space or empty are rejected with an error", async () => {
    const client = await join(server, { room: freshRoom() });
    expectAck(await sendAndAck(client, "x", `${"a".repeat(62)}_-`));
    for (const clientMsgId of ["a".repeat(65), "a b", ""]) {
      const from = client.frames.length;
      client.send({ type: "chat", text: "x", clientMsgId });
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
    const writer = await RawClient.join(bulk.wsUrl, { room, name: "writer" });
    for (let i = 1; i <= TOTAL; i++) writer.send({ type: "chat", text: `m${i}`, clientMsgId: `c${i}` });
    await writer.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === `c${TOTAL}`, { timeoutMs: 30_000 });
    await writer.close();
  });

  it("without since: the latest 50, oldest first", async () => {
    const client = await join(bulk, { room });
    expect(client.welcome.latestSeq).toBe(TOTAL);
    expect(seqs(client.welcome.messages)).toEqual(range(TOTAL - 49, TOTAL));
    for (const message of client.welcome.messages as unknown[]) expectChat(message, room);
    expect((client.welcome.messages as Frame[])[0]?.text).toBe(`m${TOTAL - 49}`);
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
      expect(seqs(client.welcome.messages), `since=${since}`).toEqual(expected);
      expect(client.welcome.complete, `since=${since}`).toBe(complete);
      expect(client.welcome.latestSeq).toBe(TOTAL);
      await client.close();
    }
  });

  it("history pages older messages, oldest first, with hasOlder", async () => {
    const client = await join(bulk, { room, since: 0 });
    const ask = async (before: number, limit: number) => {
      const from = client.frames.length;
      client.send({ type: "history", before, limit });
      return client.waitForType("history", { from });
    };
    // the gap the since=0 welcome left: seq 1..20
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

  it("history limit 0 or 101 (and other invalid values) get an error bad_frame and the connection stays open", async () => {
    const client = await join(bulk, { room: freshRoom() });
    for (const frame of [
      { type: "history", before: 5, limit: 0 },
      { type: "history", before: 5, limit: 101 },
      { type: "history", before: 5, limit: 2.5 },
      { type: "history", before: -1, limit: 5 },
      { type: "history", limit: 5 },
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
    typist.send({ type: "typing", active: true });
    const started = await reader.waitForType("typing");
    expect(keysOf(started)).toEqual(["active", "room", "type", "user"]);
    expect(started).toEqual({ type: "typing", room, user: typist.welcome.you, active: true });
    // no explicit stop: the server lets it expire (after 5 s)
    const stopped = await reader.waitFor((frame) => frame.type === "typing" && frame.active === false, { timeoutMs: 20_000 });
    expect(stopped).toEqual({ type: "typing", room, user: typist.welcome.you, active: false });
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
    expect(seen.renamed).toEqual([{ user: { id: (renamer.welcome.you as Frame).id, name: "newname" }, previousName: "oldname" }]);
    expect(seen.memberCount).toBe(2);
    expect(await renamer.waitFor(isRename)).toEqual(seen);
    await sendAndAck(renamer, "hi", "after-rename");
    const chat = await observer.waitForType("chat");
    expect(chat.from).toEqual({ id: (renamer.welcome.you as Frame).id, name: "newname" });
  });

  it("rename to a name held by another user: error name_taken and no change", async () => {
    const room = freshRoom();
    const renamer = await join(server, { room, name: "keeper" });
    const holder = await join(server, { room, name: "taken" });
    await joinAnnounced(holder);
    const from = renamer.frames.length;
    renamer.send({ type: "rename", name: "taken" });
    const error = await renamer.waitForType("error", { from });
    expectError(error, "name_taken");
    // no change: the next successful rename still starts from the old name
    renamer.send({ type: "rename", name: "keeper2" });
    const renamed = await holder.waitFor((frame) => frame.type === "system" && (frame.renamed as unknown[]).length > 0);
    expect(renamed.renamed).toEqual([{ user: { id: (renamer.welcome.you as Frame).id, name: "keeper2" }, previousName: "keeper" }]);
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
      '{"type":"chat","text":"x","clientMsgId":"spoof","from":{"id":"u_x","name":"admin"}}',
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
    await sendAndAck(client, "still here", "still-1");
    const chat = await peer.waitForType("chat");
    expect(chat.seq).toBe(1);
    expect(chat.from).toEqual(client.welcome.you);
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
    tooBig.sendText(JSON.stringify({ type: "chat", text: "x".repeat(16400), clientMsgId: "big" }));
    expect((await tooBig.closeWithin()).code).toBe(1009);
  });

  it("flooding gets rate_limited with retryAfterMs, then a close with 4029, while the room keeps working", async () => {
    const room = freshRoom();
    const flooder = await join(server, { room });
    const peer = await join(server, { room });
    let sent = 0;
    while (flooder.isOpen && sent < 5000) {
      const from = flooder.frames.length;
      for (let i = 0; i < 25 && flooder.isOpen; i++) flooder.send({ type: "chat", text: "spam", clientMsgId: `f${sent++}` });
      // Paced by the server, not a clock: the next batch goes once this one has been answered.
      await flooder.until(() => (flooder.frames.length > from ? true : undefined)).catch(() => undefined);
    }
    expect((await flooder.closeWithin(20_000)).code).toBe(4029);
    const limited = flooder.ofType("error").filter((error) => error.code === "rate_limited");
    expect(limited.length).toBeGreaterThan(0);
    for (const error of limited) {
      expectError(error, "rate_limited");
      expect(error.retryAfterMs as number).toBeGreaterThan(0);
    }
    // everything acked reached the peer, nothing else did, and the peer can still chat
    const acked = flooder.ofType("ack").map((ack) => ack.clientMsgId);
    expect(acked.length).toBeGreaterThan(0);
    expect(acked.length).toBeLessThan(sent);
    await sendAndAck(peer, "I can still talk", "peer-1");
    await peer.waitFor((frame) => frame.type === "chat" && frame.clientMsgId === "peer-1");
    const peerChats = peer.ofType("chat").map((chat) => chat.clientMsgId);
    expect(peerChats).toEqual([...acked, "peer-1"]);
    expect(seqs(peer.ofType("chat"))).toEqual(range(1, acked.length + 1));
  });
});

describe("sessions, origins and presence", () => {
  it("a session keeps its user id and name, and the open connection it replaces is closed with 4001", async () => {
    const room = freshRoom();
    const original = await join(server, { room, name: "ann" });
    const observer = await join(server, { room, name: "obs" });
    const replacement = await join(server, { room, session: original.welcome.session as string, name: "someone-else" });
    expect(replacement.welcome.you).toEqual(original.welcome.you);
    expect((await original.closeWithin()).code).toBe(4001);
    expect(replacement.isOpen).toBe(true);
    expect(replacement.welcome.memberCount).toBe(2);
    await joinAnnounced(observer);
    // a renamed user comes back under the new name
    replacement.send({ type: "rename", name: "ann-renamed" });
    await observer.waitFor((frame) => frame.type === "system" && (frame.renamed as unknown[]).length > 0);
    const again = await join(server, { room, session: original.welcome.session as string });
    expect(again.welcome.you).toEqual({ id: (original.welcome.you as Frame).id, name: "ann-renamed" });
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
    const id = (dropper.welcome.you as Frame).id;

    // a network drop, and a reload (1001), each followed by an immediate resume
    dropper.socket.terminate();
    await dropper.closed;
    const back = await join(bulk, { room, session: dropper.welcome.session as string });
    expect(back.welcome.you).toEqual(dropper.welcome.you);
    back.socket.close(1001);
    await back.closed;
    const backAgain = await join(bulk, { room, session: dropper.welcome.session as string });
    expect(backAgain.welcome.memberCount).toBe(2);

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
      const client = await RawClient.join(own.wsUrl, { room });
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
