import { type ChatFrame, DEFAULT_LIMITS, type User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { changesIn, chatOf } from "./append-helpers";

/** What the changes suite needs from the enclosing backend contract (read per test). */
export interface ChangesContractContext {
  backend(): Backend;
  /** The backend's clock, which the test moves. */
  clock: { now(): number; advance(ms: number): void };
}

const alice: User = { id: "u_alice", name: "alice" };
const bob: User = { id: "u_bob", name: "bob" };
const carol: User = { id: "u_carol", name: "carol" };

/** Twenty-one distinct emoji, a ZWJ sequence and a skin tone among them. */
const EMOJI = [
  "👍",
  "❤️",
  "😂",
  "🎉",
  "🙏",
  "👀",
  "🔥",
  "✅",
  "😮",
  "😢",
  "🚀",
  "💯",
  "🤔",
  "👏",
  "😀",
  "🥳",
  "🍕",
  "☕",
  "🌈",
  "👩‍💻",
  "👍🏽",
];

/**
 * Edits, deletions, reactions and replies (issue [3/6]): every rule of the one append, and the
 * pages as the contract specifies them, registered inside `describeBackendContract` so memory,
 * SQLite and PostgreSQL all run them.
 */
export function describeChangesContract(context: ChangesContractContext): void {
  const room = () => changesIn(context.backend(), "r");

  describe("changes: authorization and targets", () => {
    it("edit and delete are the author's alone: someone else's message is forbidden, and nothing is stored", async () => {
      const r = room();
      const chat = await r.chat(alice, "mine");
      expect(await r.append(bob, { kind: "edit", target: chat.seq, text: "theirs" })).toEqual({
        ok: false,
        code: "forbidden",
        message: expect.any(String),
      });
      expect(await r.append(bob, { kind: "delete", target: chat.seq })).toMatchObject({ ok: false, code: "forbidden" });
      expect(await context.backend().messages.latestSeq("r")).toBe(1);
      expect(await r.chatAt(chat.seq)).toEqual({ ...chat, rev: 1 });
      // Anyone may react and reply, though.
      await r.react(bob, chat.seq, "👍");
      await r.chat(bob, "a reply", chat.seq);
    });

    it("a missing target, or one that is not a chat (an edit, a deletion, a reaction), is not_found", async () => {
      const r = room();
      const chat = await r.chat(alice, "hello");
      const edit = await r.edit(alice, chat.seq, "hello!");
      const reaction = await r.react(bob, chat.seq, "🎉");
      const other = await r.chat(alice, "to be deleted");
      const deletion = await r.remove(alice, other.seq);
      const latest = await context.backend().messages.latestSeq("r");
      for (const target of [edit.seq, reaction.seq, deletion.seq, latest + 1, latest + 100]) {
        for (const change of [
          { kind: "edit", target, text: "x" },
          { kind: "delete", target },
          { kind: "react", target, emoji: "👍", on: true },
          { kind: "chat", text: "re", replyTo: target },
        ] as const) {
          expect(await r.append(alice, change), `${change.kind} of ${target}`).toMatchObject({ ok: false, code: "not_found" });
        }
      }
      expect(await context.backend().messages.latestSeq("r")).toBe(latest);
    });

    it("a reply to another room's seq is not_found", async () => {
      const here = room();
      const there = changesIn(context.backend(), "elsewhere");
      for (let i = 0; i < 5; i++) await there.chat(bob, `over there ${i}`);
      await here.chat(alice, "only one here");
      expect(await here.append(alice, { kind: "chat", text: "re", replyTo: 4 })).toMatchObject({ ok: false, code: "not_found" });
      expect(await here.append(alice, { kind: "react", target: 4, emoji: "👍", on: true })).toMatchObject({ ok: false, code: "not_found" });
    });

    it("a deleted target is gone: edit, delete again, react and reply", async () => {
      const r = room();
      const chat = await r.chat(alice, "soon gone");
      await r.remove(alice, chat.seq);
      for (const change of [
        { kind: "edit", target: chat.seq, text: "x" },
        { kind: "delete", target: chat.seq },
        { kind: "react", target: chat.seq, emoji: "👍", on: true },
        { kind: "react", target: chat.seq, emoji: "👍", on: false },
        { kind: "chat", text: "re", replyTo: chat.seq },
      ] as const) {
        expect(await r.append(alice, change), change.kind).toMatchObject({ ok: false, code: "gone" });
      }
    });

    it("a refusal is not remembered: its clientMsgId can still be used", async () => {
      const r = room();
      expect(await r.append(alice, { kind: "react", target: 9, emoji: "👍", on: true }, "reused")).toMatchObject({ code: "not_found" });
      const stored = chatOf(await r.append(alice, { kind: "chat", text: "now it is a chat" }, "reused"));
      expect(stored).toMatchObject({ seq: 1, clientMsgId: "reused" });
    });

    it("edits follow the window (with the store's clock); deleting has no window", async () => {
      const r = room();
      const chat = await r.chat(alice, "typo");
      context.clock.advance(60_000);
      const edit = await r.edit(alice, chat.seq, "fixed at the last moment", 60_000);
      expect(edit).toMatchObject({ type: "edit", text: "fixed at the last moment" });
      context.clock.advance(1);
      expect(await r.append(alice, { kind: "edit", target: chat.seq, text: "too late", editWindowMs: 60_000 })).toMatchObject({
        ok: false,
        code: "forbidden",
      });
      // Without a window, any time.
      await r.edit(alice, chat.seq, "no window");
      await r.remove(alice, chat.seq);
    });
  });

  describe("changes: what is stored", () => {
    it("an edit is an event with the next seq; the chat stands edited, with rev and edited.ts", async () => {
      const r = room();
      const chat = await r.chat(alice, "fixd typo");
      context.clock.advance(5_000);
      const edit = await r.edit(alice, chat.seq, "fixed typo");
      expect(edit).toEqual({
        type: "edit",
        room: "r",
        seq: 2,
        ts: chat.ts + 5_000,
        target: chat.seq,
        text: "fixed typo",
        by: alice,
        clientMsgId: expect.any(String),
      });
      expect(await r.chatAt(chat.seq)).toEqual({ ...chat, text: "fixed typo", rev: 2, edited: { ts: chat.ts + 5_000 } });
      expect(await r.all()).toEqual([{ ...chat, text: "fixed typo", rev: 2, edited: { ts: chat.ts + 5_000 } }, edit]);
    });

    it("a reply carries a quote of its target's current text, its first 100 code points", async () => {
      const r = room();
      // 99 astral code points and two more: the quote ends after the 100th, never inside a pair.
      const long = `${"😀".repeat(99)}ab`;
      const target = await r.chat(bob, long);
      const reply = await r.chat(alice, "agreed", target.seq);
      expect(reply.replyTo).toEqual({ seq: target.seq, from: bob, text: `${"😀".repeat(99)}a` });
      expect(reply.rev).toBeUndefined();
      await r.edit(bob, target.seq, "short now");
      expect((await r.chatAt(reply.seq))?.replyTo).toEqual({ seq: target.seq, from: bob, text: "short now" });
      await r.remove(bob, target.seq);
      expect((await r.chatAt(reply.seq))?.replyTo).toEqual({ seq: target.seq, deleted: true });
    });

    it("reactions: on twice changes nothing (not stored, acked with the latest seq); off undoes; a new emoji goes last", async () => {
      const r = room();
      const chat = await r.chat(alice, "react to me");
      const first = await r.react(bob, chat.seq, "👍");
      expect(first).toEqual({
        type: "reaction",
        room: "r",
        seq: 2,
        ts: chat.ts,
        target: chat.seq,
        emoji: "👍",
        on: true,
        by: bob,
        clientMsgId: expect.any(String),
      });
      await r.chat(carol, "something else");
      const again = await r.append(bob, { kind: "react", target: chat.seq, emoji: "👍", on: true });
      expect(again).toEqual({ ok: true, ack: { room: "r", seq: 3, ts: chat.ts }, event: null, duplicate: false });
      const offNever = await r.append(carol, { kind: "react", target: chat.seq, emoji: "🎉", on: false });
      expect(offNever).toMatchObject({ ok: true, ack: { seq: 3 }, event: null });
      expect(await context.backend().messages.latestSeq("r")).toBe(3);
      await r.react(carol, chat.seq, "🎉");
      await r.react(carol, chat.seq, "👍");
      expect((await r.chatAt(chat.seq))?.reactions).toEqual([
        { emoji: "👍", count: 2, users: [bob.id, carol.id] },
        { emoji: "🎉", count: 1, users: [carol.id] },
      ]);
      await r.react(bob, chat.seq, "👍", false);
      await r.react(carol, chat.seq, "👍", false);
      await r.react(bob, chat.seq, "👍");
      const standing = await r.chatAt(chat.seq);
      expect(standing?.reactions).toEqual([
        { emoji: "🎉", count: 1, users: [carol.id] },
        { emoji: "👍", count: 1, users: [bob.id] },
      ]);
      expect(standing?.rev).toBe(await context.backend().messages.latestSeq("r"));
      // Emptied entirely: no `reactions` at all.
      await r.react(bob, chat.seq, "👍", false);
      await r.react(carol, chat.seq, "🎉", false);
      expect(await r.chatAt(chat.seq)).not.toHaveProperty("reactions");
    });

    it(`at most ${DEFAULT_LIMITS.maxReactionEmoji} distinct emoji per message: the 21st is forbidden, an existing one is not`, async () => {
      const r = room();
      const chat = await r.chat(alice, "so many");
      for (const emoji of EMOJI.slice(0, 20)) await r.react(bob, chat.seq, emoji);
      const latest = await context.backend().messages.latestSeq("r");
      expect(await r.append(carol, { kind: "react", target: chat.seq, emoji: EMOJI[20] as string, on: true })).toMatchObject({
        ok: false,
        code: "forbidden",
      });
      expect(await context.backend().messages.latestSeq("r")).toBe(latest);
      await r.react(carol, chat.seq, "👩‍💻");
      expect((await r.chatAt(chat.seq))?.reactions?.map((entry) => entry.emoji)).toEqual(EMOJI.slice(0, 20));
      // Clearing one makes room for another, which goes last.
      await r.react(bob, chat.seq, "👍", false);
      await r.react(carol, chat.seq, EMOJI[20] as string);
      expect((await r.chatAt(chat.seq))?.reactions?.map((entry) => entry.emoji)).toEqual([...EMOJI.slice(1, 20), EMOJI[20]]);
    });

    it("counts stay exact past the 50 users listed; the list keeps who came first and is not refilled", async () => {
      const r = room();
      const chat = await r.chat(alice, "popular");
      const users = Array.from({ length: 60 }, (_, i) => ({ id: `u_${String(i).padStart(2, "0")}`, name: `user ${i}` }));
      for (const user of users) await r.react(user, chat.seq, "🔥");
      const ids = users.map((user) => user.id);
      expect((await r.chatAt(chat.seq))?.reactions).toEqual([{ emoji: "🔥", count: 60, users: ids.slice(0, 50) }]);
      // User 55 is on but not listed: on again changes nothing, off counts down.
      const latest = await context.backend().messages.latestSeq("r");
      expect(await r.append(users[55] as User, { kind: "react", target: chat.seq, emoji: "🔥", on: true })).toMatchObject({ event: null });
      expect(await context.backend().messages.latestSeq("r")).toBe(latest);
      await r.react(users[55] as User, chat.seq, "🔥", false);
      await r.react(users[3] as User, chat.seq, "🔥", false);
      const listed = ids.slice(0, 50).filter((id) => id !== ids[3]);
      expect((await r.chatAt(chat.seq))?.reactions).toEqual([{ emoji: "🔥", count: 58, users: listed }]);
      // Back on: listed again at the end, as there is room.
      await r.react(users[3] as User, chat.seq, "🔥");
      expect((await r.chatAt(chat.seq))?.reactions).toEqual([{ emoji: "🔥", count: 59, users: [...listed, ids[3]] }]);
    });
  });

  describe("changes: dedupe of every kind", () => {
    it("a resent edit, delete or reaction is acked as the original and stores nothing, even after the target was deleted", async () => {
      const r = room();
      const chat = await r.chat(alice, "original");
      const edit = await r.append(alice, { kind: "edit", target: chat.seq, text: "edited" }, "e-1");
      const reaction = await r.append(bob, { kind: "react", target: chat.seq, emoji: "👍", on: true }, "r-1");
      const deletion = await r.append(alice, { kind: "delete", target: chat.seq }, "d-1");
      const latest = await context.backend().messages.latestSeq("r");
      for (const [original, from, change, id] of [
        [edit, alice, { kind: "edit", target: chat.seq, text: "edited" }, "e-1"],
        [reaction, bob, { kind: "react", target: chat.seq, emoji: "👍", on: true }, "r-1"],
        [deletion, alice, { kind: "delete", target: chat.seq }, "d-1"],
      ] as const) {
        if (!original.ok) throw new Error(`${id} was refused`);
        const again = await r.append(from, change, id);
        expect(again, id).toMatchObject({ ok: true, ack: original.ack, duplicate: true });
        // The original event as stored now: the edit has lost its text to the deletion.
        if (again.ok && original.event?.type === "edit") expect(again.event).toEqual({ ...original.event, text: undefined });
        else if (again.ok) expect(again.event).toEqual(original.event);
      }
      expect(await context.backend().messages.latestSeq("r")).toBe(latest);
    });

    it("dedupe spans kinds: a react with a chat's clientMsgId gets the chat's ack", async () => {
      const r = room();
      const chat = await r.append(alice, { kind: "chat", text: "hi" }, "same-id");
      const react = await r.append(alice, { kind: "react", target: 1, emoji: "👍", on: true }, "same-id");
      if (!chat.ok) throw new Error("the chat was refused");
      expect(react).toMatchObject({ ok: true, ack: chat.ack, duplicate: true, event: { type: "chat", seq: 1 } });
      expect(await r.chatAt(1)).not.toHaveProperty("reactions");
    });

    it("a reaction that changed nothing, resent after an opposite change, is not applied again", async () => {
      const r = room();
      const chat = await r.chat(alice, "toggle");
      await r.append(bob, { kind: "react", target: chat.seq, emoji: "👍", on: true }, "r-1");
      const noop = await r.append(bob, { kind: "react", target: chat.seq, emoji: "👍", on: true }, "r-2");
      expect(noop).toMatchObject({ ok: true, ack: { seq: 2 }, event: null, duplicate: false });
      await r.append(bob, { kind: "react", target: chat.seq, emoji: "👍", on: false }, "r-3");
      const resent = await r.append(bob, { kind: "react", target: chat.seq, emoji: "👍", on: true }, "r-2");
      if (!noop.ok) throw new Error("the no-op was refused");
      expect(resent).toEqual({ ok: true, ack: noop.ack, event: null, duplicate: true });
      expect(await r.chatAt(chat.seq)).not.toHaveProperty("reactions");
      expect(await context.backend().messages.latestSeq("r")).toBe(3);
    });
  });

  describe("changes: deleted means gone", () => {
    it("a delete removes the chat's text, its edits' texts, its reactions and its reply link; edited stays", async () => {
      const r = room();
      const target = await r.chat(bob, "the original");
      const chat = await r.chat(alice, "secret first draft", target.seq);
      context.clock.advance(1_000);
      const edit = await r.edit(alice, chat.seq, "secret second draft");
      await r.react(bob, chat.seq, "👀");
      const replying = await r.chat(carol, "quoting it", chat.seq);
      context.clock.advance(1_000);
      const deletion = await r.remove(alice, chat.seq);
      expect(deletion).toEqual({
        type: "delete",
        room: "r",
        seq: deletion.seq,
        ts: chat.ts + 2_000,
        target: chat.seq,
        by: alice,
        clientMsgId: expect.any(String),
      });
      const deleted: ChatFrame = {
        type: "chat",
        room: "r",
        seq: chat.seq,
        id: chat.id,
        from: alice,
        ts: chat.ts,
        clientMsgId: chat.clientMsgId,
        rev: deletion.seq,
        edited: { ts: chat.ts + 1_000 },
        deleted: { by: alice, ts: chat.ts + 2_000 },
      };
      expect(await r.chatAt(chat.seq)).toEqual(deleted);
      const all = await r.all();
      expect(all.find((event) => event.seq === edit.seq)).toEqual({ ...edit, text: undefined });
      expect(all.find((event) => event.seq === edit.seq)).not.toHaveProperty("text");
      expect(all.find((event) => event.seq === replying.seq)).toMatchObject({ replyTo: { seq: chat.seq, deleted: true } });
      expect(JSON.stringify(all)).not.toContain("secret");
      const latest = await context.backend().messages.latestSeq("r");
      const everyPage = [
        await context.backend().messages.latestChats("r", latest, 50),
        await context.backend().messages.before("r", latest + 1, 50),
        await context.backend().messages.after("r", 0, latest, 50),
      ];
      expect(JSON.stringify(everyPage)).not.toContain("secret");
    });
  });

  describe("changes: pages", () => {
    /** Chats 1, 3, 5, 7, 9 with changes between them, the first edited, the second deleted, the third reacted to. */
    async function mixedRoom() {
      const r = room();
      const c1 = await r.chat(alice, "one");
      const e2 = await r.edit(alice, c1.seq, "one, edited");
      const c3 = await r.chat(bob, "three");
      const d4 = await r.remove(bob, c3.seq);
      const c5 = await r.chat(carol, "five");
      const r6 = await r.react(alice, c5.seq, "👍");
      const c7 = await r.chat(alice, "seven", c1.seq);
      const r8 = await r.react(bob, c7.seq, "🎉");
      const c9 = await r.chat(bob, "nine");
      return { r, c1, e2, c3, d4, c5, r6, c7, r8, c9 };
    }

    it("a fresh join's page is the newest chats as they stand; complete means no older chat", async () => {
      const { c1, c5, c7, c9 } = await mixedRoom();
      const { messages } = context.backend();
      const newest = await messages.latestChats("r", 9, 3);
      expect(newest.messages.map((chat) => chat.seq)).toEqual([5, 7, 9]);
      expect(newest.complete).toBe(false);
      expect(newest.messages).toEqual([
        { ...c5, rev: 6, reactions: [{ emoji: "👍", count: 1, users: [alice.id] }] },
        { ...c7, replyTo: { seq: 1, from: alice, text: "one, edited" }, rev: 8, reactions: [{ emoji: "🎉", count: 1, users: [bob.id] }] },
        { ...c9, rev: 9 },
      ]);
      const all = await messages.latestChats("r", 9, 5);
      expect(all.messages.map((chat) => chat.seq)).toEqual([1, 3, 5, 7, 9]);
      expect(all.complete).toBe(true);
      expect(all.messages[0]).toEqual({ ...c1, text: "one, edited", rev: 2, edited: { ts: c1.ts } });
      expect(all.messages[1]).not.toHaveProperty("text");
      // A limit of 0 lists nothing, and still says older chats exist.
      expect(await messages.latestChats("r", 9, 0)).toEqual({ messages: [], complete: false });
      // Never past upTo; an empty room is complete.
      expect((await messages.latestChats("r", 6, 50)).messages.map((chat) => chat.seq)).toEqual([1, 3, 5]);
      expect(await messages.latestChats("nowhere", 0, 50)).toEqual({ messages: [], complete: true });
    });

    it("a resume and `after` pages hold every event, chats as they stand", async () => {
      const { c5, r6, c7, r8, c9 } = await mixedRoom();
      const { messages } = context.backend();
      const resumed = await messages.range("r", { after: 4, upTo: 9, limit: 500 });
      expect(resumed.complete).toBe(true);
      expect(resumed.messages).toEqual([
        { ...c5, rev: 6, reactions: [{ emoji: "👍", count: 1, users: [alice.id] }] },
        r6,
        { ...c7, replyTo: { seq: 1, from: alice, text: "one, edited" }, rev: 8, reactions: [{ emoji: "🎉", count: 1, users: [bob.id] }] },
        r8,
        { ...c9, rev: 9 },
      ]);
      const cut = await messages.range("r", { after: 0, upTo: 9, limit: 4 });
      expect(cut.messages.map((event) => event.seq)).toEqual([6, 7, 8, 9]);
      expect(cut.complete).toBe(false);
      const forward = await messages.after("r", 1, 9, 4);
      expect(forward.messages.map((event) => [event.seq, event.type])).toEqual([
        [2, "edit"],
        [3, "chat"],
        [4, "delete"],
        [5, "chat"],
      ]);
      expect(forward.hasNewer).toBe(true);
      expect(forward.messages[1]).not.toHaveProperty("text");
    });

    it("`before` pages hold chats only, as they stand; hasOlder counts chats", async () => {
      await mixedRoom();
      const { messages } = context.backend();
      const page = await messages.before("r", 9, 2);
      expect(page.messages.map((chat) => [chat.seq, chat.rev])).toEqual([
        [5, 6],
        [7, 8],
      ]);
      expect(page.hasOlder).toBe(true);
      const oldest = await messages.before("r", 5, 10);
      expect(oldest.messages.map((chat) => chat.seq)).toEqual([1, 3]);
      expect(oldest.hasOlder).toBe(false);
      expect(await messages.before("r", 2, 10)).toEqual({ messages: [expect.objectContaining({ seq: 1 })], hasOlder: false });
    });
  });
}
