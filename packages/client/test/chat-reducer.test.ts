import type { ChangeEvent, ChatFrame, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { applyReaction, applyRoomEvent, isNewerChat, revOf } from "../src/room/chat-reducer";
import { alice, bob, carol, chat } from "./support/fakes";

const TS = 1_700_000_000_000;
const edit = (seq: number, target: number, text?: string): ChangeEvent => ({
  type: "edit",
  room: "lobby",
  seq,
  ts: TS + seq,
  target,
  ...(text !== undefined ? { text } : {}),
  by: bob,
  clientMsgId: `e${seq}`,
});
const remove = (seq: number, target: number): ChangeEvent => ({
  type: "delete",
  room: "lobby",
  seq,
  ts: TS + seq,
  target,
  by: bob,
  clientMsgId: `d${seq}`,
});
const react = (seq: number, target: number, emoji: string, on: boolean, by: User = carol): ChangeEvent => ({
  type: "reaction",
  room: "lobby",
  seq,
  ts: TS + seq,
  target,
  emoji,
  on,
  by,
  clientMsgId: `r${seq}`,
});

describe("applyRoomEvent: the rev rule", () => {
  it("a live chat's rev is its seq; a chat as it stands carries its own", () => {
    expect(revOf(chat(4))).toBe(4);
    expect(revOf({ ...chat(4), rev: 9 })).toBe(9);
  });

  it("applies an event above the chat's rev and moves rev to it; a stale or repeated one returns the chat itself", () => {
    const edited = applyRoomEvent(chat(4), edit(7, 4, "fixed"));
    expect(edited).toEqual({ ...chat(4), text: "fixed", edited: { ts: TS + 7 }, rev: 7 });
    expect(applyRoomEvent(edited, edit(7, 4, "again"))).toBe(edited);
    expect(applyRoomEvent(edited, edit(6, 4, "older"))).toBe(edited);
    // A chat loaded as it stands at rev 9 already reflects everything up to 9.
    const asItStands = { ...chat(4), rev: 9 };
    expect(applyRoomEvent(asItStands, react(8, 4, "👍", true))).toBe(asItStands);
    // An event at or below the chat's own seq cannot be about it.
    expect(applyRoomEvent(chat(4), edit(4, 4, "same seq"))).toEqual(chat(4));
  });

  it("ignores an event about another chat", () => {
    const held = chat(4);
    expect(applyRoomEvent(held, edit(7, 5, "not this one"))).toBe(held);
  });

  it("an edit sets the text and when it was edited; one read after its target was deleted drops the text", () => {
    const twice = applyRoomEvent(applyRoomEvent(chat(4), edit(5, 4, "one")), edit(6, 4, "two"));
    expect(twice).toMatchObject({ text: "two", edited: { ts: TS + 6 }, rev: 6 });
    const gone = applyRoomEvent(chat(4), edit(5, 4));
    expect(gone).not.toHaveProperty("text");
    expect(gone).toMatchObject({ edited: { ts: TS + 5 }, rev: 5 });
  });

  it("a delete drops the text, the reactions and the quote, and says who deleted it when", () => {
    const reply: ChatFrame = {
      ...chat(4),
      replyTo: { seq: 2, from: alice, text: "hi" },
      reactions: [{ emoji: "👍", count: 1, users: [carol.id] }],
      edited: { ts: TS },
      rev: 4,
    };
    const deleted = applyRoomEvent(reply, remove(9, 4));
    expect(deleted).toEqual({
      type: "chat",
      room: "lobby",
      seq: 4,
      id: "m4",
      from: bob,
      ts: reply.ts,
      clientMsgId: "c4",
      edited: { ts: TS },
      deleted: { by: bob, ts: TS + 9 },
      rev: 9,
    });
  });

  it("deleted is final: later events move rev only", () => {
    const deleted = applyRoomEvent(chat(4), remove(5, 4));
    const after = applyRoomEvent(applyRoomEvent(deleted, edit(6, 4, "back?")), react(7, 4, "👍", true));
    expect(after).toEqual({ ...deleted, rev: 7 });
  });

  it("a chat that arrives again replaces the held one only with a greater rev", () => {
    const held = { ...chat(4), rev: 8 };
    expect(isNewerChat(held, { ...chat(4), rev: 9 })).toBe(true);
    expect(isNewerChat(held, { ...chat(4), rev: 8 })).toBe(false);
    expect(isNewerChat(held, chat(4))).toBe(false);
    expect(isNewerChat(chat(4), { ...chat(4), rev: 5 })).toBe(true);
  });
});

describe("applyRoomEvent: reactions", () => {
  it("on counts one more and lists the user; a new emoji goes last; off counts one less and unlists; zero removes the emoji", () => {
    let state = chat(1);
    state = applyRoomEvent(state, react(2, 1, "👍", true, bob));
    state = applyRoomEvent(state, react(3, 1, "🎉", true, bob));
    state = applyRoomEvent(state, react(4, 1, "👍", true, carol));
    expect(state.reactions).toEqual([
      { emoji: "👍", count: 2, users: [bob.id, carol.id] },
      { emoji: "🎉", count: 1, users: [bob.id] },
    ]);
    state = applyRoomEvent(state, react(5, 1, "👍", false, bob));
    expect(state.reactions).toEqual([
      { emoji: "👍", count: 1, users: [carol.id] },
      { emoji: "🎉", count: 1, users: [bob.id] },
    ]);
    state = applyRoomEvent(state, react(6, 1, "🎉", false, bob));
    expect(state.reactions).toEqual([{ emoji: "👍", count: 1, users: [carol.id] }]);
    state = applyRoomEvent(state, react(7, 1, "👍", false, carol));
    expect(state).not.toHaveProperty("reactions");
    expect(state.rev).toBe(7);
  });

  it("past 50 users the count stays exact and the list stops growing; one leaving makes room for the next", () => {
    const users = Array.from({ length: 52 }, (_, i) => `u${i}`);
    let reactions = applyReaction([], { emoji: "👍", on: true, by: { id: "u0", name: "u0" } });
    for (const id of users.slice(1)) reactions = applyReaction(reactions, { emoji: "👍", on: true, by: { id, name: id } });
    expect(reactions[0]?.count).toBe(52);
    expect(reactions[0]?.users).toEqual(users.slice(0, 50));
    // A listed user leaves: one less, unlisted.
    reactions = applyReaction(reactions, { emoji: "👍", on: false, by: { id: "u3", name: "u3" } });
    expect(reactions[0]?.count).toBe(51);
    expect(reactions[0]?.users).toHaveLength(49);
    // An unlisted one leaves: one less, the list as it was.
    reactions = applyReaction(reactions, { emoji: "👍", on: false, by: { id: "u51", name: "u51" } });
    expect(reactions[0]?.count).toBe(50);
    expect(reactions[0]?.users).toHaveLength(49);
    // The next one on is listed again.
    reactions = applyReaction(reactions, { emoji: "👍", on: true, by: { id: "u99", name: "u99" } });
    expect(reactions[0]).toMatchObject({ count: 51, users: expect.arrayContaining(["u99"]) });
    expect(reactions[0]?.users).toHaveLength(50);
  });

  it("a user already listed is not listed twice; clearing an emoji that is not there changes nothing", () => {
    const once = applyReaction([], { emoji: "👍", on: true, by: bob });
    expect(applyReaction(once, { emoji: "👍", on: true, by: bob })).toEqual([{ emoji: "👍", count: 2, users: [bob.id] }]);
    expect(applyReaction(once, { emoji: "🎉", on: false, by: bob })).toEqual(once);
  });
});
