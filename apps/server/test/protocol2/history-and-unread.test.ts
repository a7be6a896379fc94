import type { ChatFrame, ServerFrameOf } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

/** Sends chats one after another, each once the previous one was acked, so their seqs are in this order. */
async function say(client: TestClient, room: string, ...ids: string[]): Promise<number[]> {
  const seqs: number[] = [];
  for (const id of ids) {
    const from = client.frames.length;
    client.chat(room, `text of ${id}`, id);
    const ack = await client.waitFor((frame): frame is ServerFrameOf<"ack"> => frame.type === "ack" && frame.clientMsgId === id, { from });
    seqs.push(ack.seq);
  }
  return seqs;
}

/** Sends a ping and waits for its pong: every frame sent before it has been handled (memory backend). */
async function roundTrip(client: TestClient, t: number): Promise<void> {
  const from = client.frames.length;
  client.send({ type: "ping", t });
  await client.waitFor((frame) => frame.type === "pong" && frame.t === t, { from });
}

async function membershipOf(session: string, room: string) {
  const client = await fixture.open({ session });
  const entry = client.ready.rooms.find((candidate) => candidate.room === room);
  await client.close();
  return entry;
}

describe("history after", () => {
  it("pages forward from `after`, oldest first, with hasNewer, and never past what the connection was sent", async () => {
    const server = await fixture.start();
    const writer = await fixture.join({ name: "writer", room: "log" });
    await say(writer, "log", ...Array.from({ length: 7 }, (_, i) => `w${i + 1}`));
    const reader = await fixture.join({ name: "reader", room: "log" });
    await reader.waitFor(() => reader.chatFrames("log").length >= 7);
    // Stored but not fanned out by this node (as if another node's event had not arrived yet):
    // no page may reach it.
    await server.app.backend.messages.append({
      room: "log",
      actor: { id: "u_other", name: "other" },
      kind: "chat",
      text: "unseen",
      clientMsgId: "x1",
    });

    const pages: Array<ServerFrameOf<"history">> = [];
    let after = 2;
    for (;;) {
      const from = reader.frames.length;
      reader.send({ type: "history", room: "log", after, limit: 2 });
      const page = await reader.waitFor((frame): frame is ServerFrameOf<"history"> => frame.type === "history", { from });
      pages.push(page);
      if (!page.hasNewer) break;
      after = (page.messages.at(-1) as ChatFrame).seq;
    }
    expect(pages.map((page) => page.messages.map((message) => message.seq))).toEqual([[3, 4], [5, 6], [7]]);
    expect(pages.map((page) => page.hasNewer)).toEqual([true, true, false]);
    for (const page of pages) {
      expect(page.room).toBe("log");
      expect(page.hasOlder).toBeUndefined();
    }
    // From the end: empty, nothing newer.
    const from = reader.frames.length;
    reader.send({ type: "history", room: "log", after: 7, limit: 5 });
    expect(await reader.waitForType("history", { from })).toEqual({ type: "history", room: "log", messages: [], hasNewer: false });
    expect(reader.invalid).toEqual([]);
  });

  it("before pages answer with hasOlder, as in protocol 1, and carry the room", async () => {
    await fixture.start();
    const writer = await fixture.join({ name: "writer", room: "log" });
    await say(writer, "log", "a", "b", "c", "d");
    const from = writer.frames.length;
    writer.send({ type: "history", room: "log", before: 4, limit: 2 });
    const page = await writer.waitForType("history", { from });
    expect(page.messages.map((message) => message.seq)).toEqual([2, 3]);
    expect(page).toMatchObject({ room: "log", hasOlder: true });
    expect(page.hasNewer).toBeUndefined();
  });
});

describe("unread counts and read markers", () => {
  it("unread counts other users' chats after the marker only; the marker moves forward only and is clamped to the latest seq", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice", room: "lobby" });
    const bob = await fixture.join({ name: "bob", room: "lobby" });
    expect(alice.joined.readSeq).toBe(0);
    await say(bob, "lobby", "b1", "b2", "b3");
    await say(alice, "lobby", "a1", "a2");
    await say(bob, "lobby", "b4");
    const session = alice.ready.session;
    await alice.close();
    // seqs: 1-3 bob, 4-5 alice, 6 bob. Nothing read: bob's four are unread, alice's own two are not.
    expect(await membershipOf(session, "lobby")).toEqual({
      room: "lobby",
      latestSeq: 6,
      readSeq: 0,
      unread: 4,
      unreadMentions: 0,
      notify: "mentions",
    });

    const reader = await fixture.join({ session, room: "lobby" });
    expect(reader.joined.readSeq).toBe(0);
    reader.send({ type: "read", room: "lobby", seq: 3 });
    await roundTrip(reader, 1);
    // Read up to 3: only bob's seq 6 is left (alice's 4 and 5 are her own).
    reader.send({ type: "read", room: "lobby", seq: 2 });
    await roundTrip(reader, 2);
    await reader.close();
    expect(await membershipOf(session, "lobby")).toEqual({
      room: "lobby",
      latestSeq: 6,
      readSeq: 3,
      unread: 1,
      unreadMentions: 0,
      notify: "mentions",
    });

    const again = await fixture.join({ session, room: "lobby" });
    expect(again.joined.readSeq).toBe(3);
    again.send({ type: "read", room: "lobby", seq: 1_000 });
    await roundTrip(again, 3);
    await again.close();
    expect(await membershipOf(session, "lobby")).toEqual({
      room: "lobby",
      latestSeq: 6,
      readSeq: 6,
      unread: 0,
      unreadMentions: 0,
      notify: "mentions",
    });
    // No answer frame to a read.
    expect([...reader.frames, ...again.frames].filter((frame) => frame.type === "error")).toEqual([]);
  });

  it("a new membership starts read up to the room's latest seq, and ready lists memberships by room name", async () => {
    const server = await fixture.start();
    const writer = await fixture.join({ name: "writer", room: "busy" });
    await say(writer, "busy", "w1", "w2", "w3");
    const late = await fixture.open({ name: "late" });
    await late.join("zeta");
    const joined = await late.join("busy");
    expect(joined.readSeq).toBe(3);
    await late.join("alpha");
    await say(writer, "busy", "w4");
    await late.close();
    const ready = (await fixture.open({ session: late.ready.session })).ready;
    expect(ready.rooms).toEqual([
      { room: "alpha", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
      { room: "busy", latestSeq: 4, readSeq: 3, unread: 1, unreadMentions: 0, notify: "mentions" },
      { room: "zeta", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
    ]);
    expect(server.config.limits.maxRooms).toBe(50);
  });

  it("read markers have a budget of their own: past it, rate_limited with the room", async () => {
    const server = await fixture.start();
    const client = await fixture.join({ name: "eager", room: "lobby" });
    const { readBurst } = server.config.limits;
    for (let i = 0; i <= readBurst; i++) client.send({ type: "read", room: "lobby", seq: i });
    const refused = await client.waitForType("error");
    expect(refused).toMatchObject({ code: "rate_limited", room: "lobby", retryAfterMs: expect.any(Number) });
    // Chats are not charged for reads.
    client.chat("lobby", "still fine", "c1");
    expect(await client.waitForType("ack")).toMatchObject({ clientMsgId: "c1" });
    expect(client.ofType("error")).toHaveLength(1);
  });
});
