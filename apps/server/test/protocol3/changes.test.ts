import { describe, expect, it } from "vitest";
import { acked, answerTo, liveEvents, waitForSeq } from "../support/change-frames";
import { onlyChats } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

/** The first test's events, as seq and kind. */
const STORY = [
  [1, "chat"],
  [2, "edit"],
  [3, "reaction"],
  [4, "reaction"],
  [5, "chat"],
  [6, "delete"],
];

describe("edit, delete, react and replies over a real socket", () => {
  it("each change is acked and fanned out with the room's next seq to everyone, the sender included, in one order", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    const aliceUser = alice.joined.you;
    const bobUser = bob.joined.you;

    expect(await acked(alice, { type: "chat", room: "lobby", text: "fixd typo", clientMsgId: "a-1" })).toBe(1);
    const editAck = await answerTo(alice, { type: "edit", room: "lobby", target: 1, text: "fixed typo", clientMsgId: "e-1" });
    expect(editAck).toEqual({ type: "ack", room: "lobby", clientMsgId: "e-1", seq: 2, ts: expect.any(Number) });
    const editTs = editAck.type === "ack" ? editAck.ts : 0;
    expect(await acked(bob, { type: "react", room: "lobby", target: 1, emoji: "👍", on: true, clientMsgId: "r-1" })).toBe(3);
    // One emoji typed without its presentation selector is the same emoji.
    expect(await acked(bob, { type: "react", room: "lobby", target: 1, emoji: "❤", on: true, clientMsgId: "r-2" })).toBe(4);
    expect(await acked(bob, { type: "chat", room: "lobby", text: "agreed", clientMsgId: "b-1", replyTo: 1 })).toBe(5);
    expect(await acked(alice, { type: "delete", room: "lobby", target: 1, clientMsgId: "d-1" })).toBe(6);

    for (const client of [alice, bob]) {
      await waitForSeq(client, "lobby", 6);
      const events = liveEvents(client, "lobby");
      expect(events.map((event) => [event.seq, event.type])).toEqual(STORY);
      expect(events[1]).toEqual({
        type: "edit",
        room: "lobby",
        seq: 2,
        ts: editTs,
        target: 1,
        text: "fixed typo",
        by: aliceUser,
        clientMsgId: "e-1",
      });
      expect(events[2]).toEqual({
        type: "reaction",
        room: "lobby",
        seq: 3,
        ts: expect.any(Number),
        target: 1,
        emoji: "👍",
        on: true,
        by: bobUser,
        clientMsgId: "r-1",
      });
      expect(events[3]).toMatchObject({ emoji: "❤️" });
      expect(events[4]).toMatchObject({ replyTo: { seq: 1, from: aliceUser, text: "fixed typo" } });
      expect(events[4]).not.toHaveProperty("rev");
      expect(events[5]).toEqual({
        type: "delete",
        room: "lobby",
        seq: 6,
        ts: expect.any(Number),
        target: 1,
        by: aliceUser,
        clientMsgId: "d-1",
      });
      expect(client.invalid).toEqual([]);
    }

    // A newcomer gets the chats as they stand; a resume from 0 gets every event.
    const carol = await fixture.join({ name: "carol" });
    expect(carol.joined.messages).toEqual([
      {
        type: "chat",
        room: "lobby",
        seq: 1,
        id: expect.any(String),
        from: aliceUser,
        ts: expect.any(Number),
        clientMsgId: "a-1",
        rev: 6,
        edited: { ts: editTs },
        deleted: { by: aliceUser, ts: expect.any(Number) },
      },
      expect.objectContaining({ seq: 5, rev: 5, replyTo: { seq: 1, deleted: true }, text: "agreed" }),
    ]);
    const resumed = await fixture.join({ name: "dave", since: 0 });
    expect(resumed.joined.messages.map((event) => [event.seq, event.type])).toEqual(STORY);
    // Deleted means gone: the edit in the page has lost its text.
    expect(resumed.joined.messages[1]).not.toHaveProperty("text");
  });

  it("a reaction that changes nothing is acked with the room's latest seq and fans out nothing", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    await acked(alice, { type: "chat", room: "lobby", text: "hi", clientMsgId: "a-1" });
    expect(await acked(bob, { type: "react", room: "lobby", target: 1, emoji: "🎉", on: true, clientMsgId: "r-1" })).toBe(2);
    expect(await answerTo(bob, { type: "react", room: "lobby", target: 1, emoji: "🎉", on: true, clientMsgId: "r-2" })).toMatchObject({
      type: "ack",
      seq: 2,
    });
    expect(await acked(bob, { type: "react", room: "lobby", target: 1, emoji: "👀", on: false, clientMsgId: "r-3" })).toBe(2);
    expect(await acked(alice, { type: "chat", room: "lobby", text: "next", clientMsgId: "a-2" })).toBe(3);
    for (const client of [alice, bob]) {
      await waitForSeq(client, "lobby", 3);
      expect(liveEvents(client, "lobby").map((event) => [event.seq, event.clientMsgId])).toEqual([
        [1, "a-1"],
        [2, "r-1"],
        [3, "a-2"],
      ]);
    }
  });

  it("a resent change is acked again with its original seq and fanned out once", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    await acked(alice, { type: "chat", room: "lobby", text: "hi", clientMsgId: "a-1" });
    const edit = { type: "edit", room: "lobby", target: 1, text: "hi there", clientMsgId: "e-1" } as const;
    const first = await answerTo(alice, edit);
    const again = await answerTo(alice, edit);
    expect(again).toEqual(first);
    const deletion = { type: "delete", room: "lobby", target: 1, clientMsgId: "d-1" } as const;
    const deleted = await answerTo(alice, deletion);
    // Resent after it took effect: the original ack, not `gone`.
    expect(await answerTo(alice, deletion)).toEqual(deleted);
    expect(await acked(alice, { type: "chat", room: "lobby", text: "after", clientMsgId: "a-2" })).toBe(4);
    await waitForSeq(bob, "lobby", 4);
    expect(liveEvents(bob, "lobby").map((event) => event.seq)).toEqual([1, 2, 3, 4]);
  });
});

describe("refusals: error frames with the room and the clientMsgId, and nothing stored", () => {
  it("not_found, forbidden and gone", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    await bob.join("other");
    for (let i = 1; i <= 6; i++) await acked(bob, { type: "chat", room: "other", text: `over there ${i}`, clientMsgId: `o-${i}` });
    await acked(alice, { type: "chat", room: "lobby", text: "mine", clientMsgId: "a-1" });
    await acked(bob, { type: "react", room: "lobby", target: 1, emoji: "👍", on: true, clientMsgId: "b-r" });
    await acked(alice, { type: "chat", room: "lobby", text: "to delete", clientMsgId: "a-2" });
    await acked(alice, { type: "delete", room: "lobby", target: 3, clientMsgId: "a-d" });

    const cases = [
      [alice, { type: "edit", room: "lobby", target: 99, text: "x", clientMsgId: "nf-1" }, "not_found"],
      [alice, { type: "react", room: "lobby", target: 2, emoji: "👍", on: true, clientMsgId: "nf-2" }, "not_found"],
      [alice, { type: "chat", room: "lobby", text: "re", replyTo: 99, clientMsgId: "nf-3" }, "not_found"],
      // Seq 5 is a chat of "other" (which bob has joined too), but the lobby ends at 4.
      [bob, { type: "chat", room: "lobby", text: "re", replyTo: 5, clientMsgId: "nf-4" }, "not_found"],
      [bob, { type: "edit", room: "lobby", target: 1, text: "not mine", clientMsgId: "fb-1" }, "forbidden"],
      [bob, { type: "delete", room: "lobby", target: 1, clientMsgId: "fb-2" }, "forbidden"],
      [alice, { type: "edit", room: "lobby", target: 3, text: "x", clientMsgId: "g-1" }, "gone"],
      [alice, { type: "delete", room: "lobby", target: 3, clientMsgId: "g-2" }, "gone"],
      [bob, { type: "react", room: "lobby", target: 3, emoji: "👍", on: true, clientMsgId: "g-3" }, "gone"],
      [bob, { type: "chat", room: "lobby", text: "re", replyTo: 3, clientMsgId: "g-4" }, "gone"],
    ] as const;
    for (const [client, frame, code] of cases) {
      expect(await answerTo(client, frame), frame.clientMsgId).toEqual({
        type: "error",
        code,
        message: expect.any(String),
        room: "lobby",
        clientMsgId: frame.clientMsgId,
      });
    }
    // Nothing was stored: the next chat takes seq 5.
    expect(await acked(alice, { type: "chat", room: "lobby", text: "still 5", clientMsgId: "a-3" })).toBe(5);
  });

  it(`a 21st distinct emoji is forbidden`, async () => {
    await fixture.start({ RATE_BURST: "100" });
    const alice = await fixture.join({ name: "alice" });
    await acked(alice, { type: "chat", room: "lobby", text: "react", clientMsgId: "a-1" });
    const emoji = ["👍", "❤️", "😂", "🎉", "🙏", "👀", "🔥", "✅", "😮", "😢", "🚀", "💯", "🤔", "👏", "😀", "🥳", "🍕", "☕", "🌈", "👩‍💻"];
    for (const [index, symbol] of emoji.entries()) {
      await acked(alice, { type: "react", room: "lobby", target: 1, emoji: symbol, on: true, clientMsgId: `r-${index}` });
    }
    expect(await answerTo(alice, { type: "react", room: "lobby", target: 1, emoji: "👍🏽", on: true, clientMsgId: "r-21" })).toMatchObject({
      type: "error",
      code: "forbidden",
      room: "lobby",
      clientMsgId: "r-21",
    });
  });

  it("bad_frame, too_long and not_joined name the room and the clientMsgId too", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    await acked(alice, { type: "chat", room: "lobby", text: "hi", clientMsgId: "a-1" });
    const raw = async (frame: Record<string, unknown>) => {
      const from = alice.frames.length;
      alice.sendRaw(JSON.stringify(frame));
      return alice.waitForType("error", { from });
    };
    expect(await raw({ type: "react", room: "lobby", target: 1, emoji: "two 👍👍", on: true, clientMsgId: "bad-1" })).toMatchObject({
      code: "bad_frame",
      room: "lobby",
      clientMsgId: "bad-1",
    });
    expect(await raw({ type: "edit", room: "lobby", target: 0, text: "x", clientMsgId: "bad-2" })).toMatchObject({
      code: "bad_frame",
      room: "lobby",
      clientMsgId: "bad-2",
    });
    expect(await raw({ type: "delete", room: "lobby", target: 1, text: "why", clientMsgId: "bad-3" })).toMatchObject({
      code: "bad_frame",
      clientMsgId: "bad-3",
    });
    expect(await answerTo(alice, { type: "edit", room: "lobby", target: 1, text: "x".repeat(2001), clientMsgId: "long-1" })).toMatchObject({
      code: "too_long",
      room: "lobby",
      clientMsgId: "long-1",
    });
    expect(await answerTo(alice, { type: "delete", room: "elsewhere", target: 1, clientMsgId: "nj-1" })).toMatchObject({
      code: "not_joined",
      room: "elsewhere",
      clientMsgId: "nj-1",
    });
    expect(onlyChats((await fixture.join({ name: "reader", since: 0 })).joined.messages)).toHaveLength(1);
  });
});
