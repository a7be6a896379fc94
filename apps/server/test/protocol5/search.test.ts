import { type ClientFrameOf, serverFrameSchema } from "@chatroom/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { type Frame, RawClient } from "../acceptance/raw-client";
import { useTestServer } from "../support/use-test-server";

// Raw clients: they check the search frames against the schema themselves and need nothing else
// of the protocol package's newer frames.
const clients: RawClient[] = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function connect(wsUrl: string, hello: Record<string, unknown>, room?: string): Promise<RawClient & { ready: Frame }> {
  const client = await RawClient.ready(wsUrl, hello);
  clients.push(client);
  if (room !== undefined) await client.join(room);
  return client;
}

function userOf(client: { ready: Frame }): { id: string; name: string } {
  return client.ready.you as { id: string; name: string };
}

function sessionOf(client: { ready: Frame }): string {
  return client.ready.session as string;
}

/** Sends a frame with a clientMsgId and resolves with its ack (its seq); throws on an error. */
async function ackOf(client: RawClient, frame: { clientMsgId: string } & Record<string, unknown>): Promise<number> {
  const from = client.frames.length;
  client.send(frame);
  const answer = await client.waitFor((f) => (f.type === "ack" || f.type === "error") && f.clientMsgId === frame.clientMsgId, { from });
  if (answer.type !== "ack") throw new Error(`${String(frame.type)} refused: ${JSON.stringify(answer)}`);
  return answer.seq as number;
}

async function createRoom(client: RawClient, room: string, options: { private: boolean }): Promise<void> {
  await ackOf(client, { type: "create", room, private: options.private, clientMsgId: `create-${room}` });
}

/** Sends `search` and resolves with its answer (results or error), which must be a valid frame. */
async function searchOf(client: RawClient, frame: Omit<ClientFrameOf<"search">, "type">): Promise<Frame> {
  const from = client.frames.length;
  client.send({ type: "search", ...frame });
  const answer = await client.waitFor((f) => (f.type === "search-results" || f.type === "error") && f.clientMsgId === frame.clientMsgId, {
    from,
  });
  expect(serverFrameSchema.safeParse(answer).success, JSON.stringify(answer)).toBe(true);
  return answer;
}

/** [5/6] search over real sockets, on memory and SQLite. */
describe.each(["memory", "sqlite"] as const)("search frame (%s)", (history) => {
  const fixture = useTestServer();
  const start = () => fixture.startWithHistory(history);

  it("answers with hits newest first, snippets and highlights, pages by cursor, with no room joined on the asking connection", async () => {
    const server = await start();
    const alice = await connect(server.wsUrl, { name: "alice" }, "lobby");
    await ackOf(alice, { type: "chat", room: "lobby", text: "明天的测试环境准备好了", clientMsgId: "a-1" });
    await ackOf(alice, { type: "chat", room: "lobby", text: "the 测试 passed", clientMsgId: "a-2" });
    await ackOf(alice, { type: "chat", room: "lobby", text: "nothing to see", clientMsgId: "a-3" });
    // Another connection of the same user, in no room: search covers the user's memberships.
    const phone = await connect(server.wsUrl, { session: sessionOf(alice) });
    const first = await searchOf(phone, { clientMsgId: "q-1", query: "测试", limit: 1 });
    expect(first).toMatchObject({
      type: "search-results",
      results: [{ room: "lobby", seq: 2, from: userOf(alice), snippet: "the 测试 passed", highlights: [[4, 6]] }],
      next: expect.any(String),
    });
    const second = await searchOf(phone, { clientMsgId: "q-2", query: "测试", limit: 1, cursor: first.next as string });
    expect(second).toEqual({
      type: "search-results",
      clientMsgId: "q-2",
      results: [
        { room: "lobby", seq: 1, from: userOf(alice), ts: expect.any(Number), snippet: "明天的测试环境准备好了", highlights: [[3, 5]] },
      ],
    });
    expect(await searchOf(phone, { clientMsgId: "q-3", query: "测试 in:lobby", room: "lobby" })).toMatchObject({ results: [{}, {}] });
  });

  it("refuses what cannot be run with bad_query and the parser's reason", async () => {
    const server = await start();
    const alice = await connect(server.wsUrl, { name: "alice" }, "lobby");
    const cases: Array<[Omit<ClientFrameOf<"search">, "type" | "clientMsgId">, string]> = [
      [{ query: "   " }, "the query is empty"],
      [{ query: "after:2026-13-01" }, "after:2026-13-01 is not a day (YYYY-MM-DD)"],
      [{ query: "from:" }, "from: needs a value"],
      [{ query: "a b c d e f g h i j k" }, "at most 10 words or phrases"],
      [{ query: "x".repeat(501) }, "the query is longer than 500 characters"],
      [{ query: "hi in:lobby", room: "other" }, "room other and in:lobby name different rooms"],
      [{ query: "hi", cursor: "bm90LWEtY3Vyc29y" }, "cursor is not one this server gave"],
    ];
    for (const [index, [frame, reason]] of cases.entries()) {
      expect(await searchOf(alice, { clientMsgId: `q-${index}`, ...frame })).toEqual({
        type: "error",
        code: "bad_query",
        message: reason,
        clientMsgId: `q-${index}`,
      });
    }
    // Hostile text is text: an answer, never an error or a closed socket. (A fresh connection: the
    // refusals above spent most of the first one's search budget.)
    const other = await connect(server.wsUrl, { session: sessionOf(alice) });
    for (const query of ['"', '"unclosed', "NEAR(a b)", "* OR -x ^y", "col:on (paren)", "\u0000", "测".repeat(500)]) {
      const answer = await searchOf(other, { clientMsgId: "h", query });
      // Answered, or refused with the parser's reason (a lone `"` is an empty phrase): never anything else.
      if (answer.type === "error") expect(answer, JSON.stringify(answer)).toMatchObject({ code: "bad_query", clientMsgId: "h" });
      else expect(answer).toMatchObject({ type: "search-results", results: [] });
    }
    expect(other.closedWith).toBeUndefined();
  });

  it("private rooms: forbidden to non-members, the same answer as a room that does not exist, and never in results", async () => {
    const server = await start();
    const bob = await connect(server.wsUrl, { name: "bob" });
    await createRoom(bob, "team", { private: true });
    await bob.join("team");
    await ackOf(bob, { type: "chat", room: "team", text: "secret plan", clientMsgId: "b-1" });
    const alice = await connect(server.wsUrl, { name: "alice" }, "lobby");
    await ackOf(alice, { type: "chat", room: "lobby", text: "open plan", clientMsgId: "a-1" });
    await ackOf(alice, { type: "chat", room: "lobby", text: "another plan", clientMsgId: "a-2" });
    const stranger = await connect(server.wsUrl, { name: "stranger" });
    const forbidden = await searchOf(stranger, { clientMsgId: "q-1", query: "plan in:team" });
    const missing = await searchOf(stranger, { clientMsgId: "q-1", query: "plan in:no-such-room" });
    expect(forbidden).toEqual({ type: "error", code: "forbidden", message: "you may not search that room", clientMsgId: "q-1" });
    expect(missing).toEqual(forbidden);
    // An open room the stranger never joined may be named.
    expect(await searchOf(stranger, { clientMsgId: "q-2", query: "plan", room: "lobby" })).toMatchObject({
      results: [{ seq: 2 }, { seq: 1 }],
    });
    // Without a room: the stranger's memberships, which are none; alice's, which leave out bob's room.
    expect(await searchOf(stranger, { clientMsgId: "q-3", query: "plan" })).toMatchObject({ results: [] });
    expect(await searchOf(alice, { clientMsgId: "q-4", query: "plan" })).toMatchObject({ results: [{ room: "lobby" }, { room: "lobby" }] });
    expect(await searchOf(bob, { clientMsgId: "q-5", query: "plan" })).toMatchObject({ results: [{ room: "team", seq: 2 }] });
  });
});

describe("search scope and budget", () => {
  const fixture = useTestServer();

  it("leaves out a private room the user is a member of but no longer admitted to", async () => {
    const backend = new MemoryBackend({ nodeId: "node-scope" });
    const server = await fixture.start({}, { backend });
    const bob = await connect(server.wsUrl, { name: "bob" });
    await createRoom(bob, "team", { private: true });
    const alice = await connect(server.wsUrl, { name: "alice" }, "lobby");
    await ackOf(alice, { type: "chat", room: "lobby", text: "the plan, openly", clientMsgId: "a-1" });
    // A membership with no role in the private room: what is left when admission is gone (a host
    // token that no longer claims the room). Bob's room still says "plan".
    await backend.memberships.join(userOf(alice).id, "team", { maxRooms: 50 });
    await backend.messages.append({
      room: "team",
      actor: { id: "u_bob", name: "bob", admin: true },
      clientMsgId: "b-1",
      kind: "chat",
      text: "secret plan",
    });
    expect(await searchOf(alice, { clientMsgId: "q-1", query: "plan" })).toMatchObject({ results: [{ room: "lobby", seq: 1 }] });
    expect(await searchOf(alice, { clientMsgId: "q-2", query: "plan in:team" })).toMatchObject({ type: "error", code: "forbidden" });
  });

  it("spends its own budget: 10 at once, then rate_limited with retryAfterMs; the connection stays up", async () => {
    const server = await fixture.start();
    const alice = await connect(server.wsUrl, { name: "alice" }, "lobby");
    const from = alice.frames.length;
    // 20 in one go: even a slow machine refills a few at 2 per second, never 10.
    for (let i = 0; i < 20; i++) alice.send({ type: "search", clientMsgId: `burst-${i}`, query: "anything" });
    const answers = new Map<string, Frame>();
    await alice.waitFor(
      (frame) => {
        if ((frame.type === "search-results" || frame.type === "error") && String(frame.clientMsgId).startsWith("burst-")) {
          answers.set(String(frame.clientMsgId), frame);
        }
        return answers.size === 20;
      },
      { from },
    );
    for (let i = 0; i < 10; i++) expect(answers.get(`burst-${i}`)?.type).toBe("search-results");
    const limited = [...answers.values()].filter((frame) => frame.type === "error");
    expect(limited.length).toBeGreaterThanOrEqual(6);
    for (const frame of limited) expect(frame).toMatchObject({ code: "rate_limited", retryAfterMs: expect.any(Number) });
    expect(await ackOf(alice, { type: "chat", room: "lobby", text: "still here", clientMsgId: "a-1" })).toBe(1);
  });
});
