import type { ChangeEvent } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { MessageLog } from "../src/room/message-log";
import { alice, bob, chat, chats } from "./support/fakes";

const seqsOf = (log: MessageLog) => log.messages.map((message) => message.seq);
const edit = (seq: number, target: number, text: string): ChangeEvent => ({
  type: "edit",
  room: "lobby",
  seq,
  ts: 1_700_000_000_000 + seq * 1000,
  target,
  text,
  by: bob,
  clientMsgId: `e${seq}`,
});

describe("MessageLog", () => {
  it("keeps chats sorted by seq whatever order they arrive in", () => {
    const log = new MessageLog();
    log.merge([chat(5), chat(2)]);
    log.merge([chat(9), chat(1), chat(7)]);
    log.merge([chat(3)]);
    expect(seqsOf(log)).toEqual([1, 2, 3, 5, 7, 9]);
    expect(log.chatAtOrBelow(6)?.seq).toBe(5);
    expect(log.chatAtOrBelow(0)).toBeUndefined();
  });

  it("drops duplicates, reports what was new, and replaces a held chat only with a greater rev", () => {
    const log = new MessageLog();
    expect(log.merge(chats(1, 3)).added.map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(log.merge([chat(2), chat(3), chat(4), chat(4)]).added.map((m) => m.seq)).toEqual([4]);
    expect(seqsOf(log)).toEqual([1, 2, 3, 4]);
    const edited = { ...chat(2), text: "fixed", rev: 9, edited: { ts: 9 } };
    expect(log.merge([edited])).toEqual({ added: [], replaced: [edited] });
    // The same rev, or an older one (a live chat's rev is its seq), changes nothing.
    expect(log.merge([chat(2), { ...edited, text: "stale", rev: 9 }])).toEqual({ added: [], replaced: [] });
    expect(log.at(2)).toBe(edited);
  });

  it("applies an edit to the chat it targets when newer than its rev; otherwise, or for a chat not held, nothing", () => {
    const log = new MessageLog();
    log.merge(chats(1, 2));
    log.cover(1, 4);
    const items = log.items();
    const version = log.version;
    log.receive(edit(5, 2, "fixed"));
    expect(log.at(2)).toMatchObject({ text: "fixed", rev: 5, edited: { ts: 1_700_000_005_000 } });
    expect(log.items()).not.toBe(items);
    expect(log.version).toBeGreaterThan(version);
    expect(log.covers(5)).toBe(true);
    log.receive(edit(4, 2, "older"));
    log.receive(edit(6, 3, "not held"));
    expect(log.at(2)?.text).toBe("fixed");
    expect(log.coverage).toEqual([[1, 6]]);
  });

  it("holds a change back while a gap separates it from its target, and applies it in order once the gap is filled", () => {
    const log = new MessageLog();
    log.merge([chat(1)]);
    log.cover(1, 1);
    // Seq 2 is still missing: an edit at 2 may come in it, and must apply before this one.
    log.receive(edit(3, 1, "second"));
    expect(log.at(1)?.text).toBe("message 1");
    log.receive(edit(2, 1, "first"));
    expect(log.at(1)).toMatchObject({ text: "second", rev: 3 });
  });

  it("a change waiting for a gap that is dropped applies then; one whose target went is forgotten", () => {
    const log = new MessageLog();
    log.merge([chat(1), chat(5)]);
    log.cover(1, 1);
    log.cover(5, 5);
    log.receive(edit(8, 5, "above the gap"));
    log.receive(edit(9, 1, "below the gap"));
    expect(log.at(5)?.text).toBe("message 5");
    log.dropBelow(5);
    expect(log.at(5)).toMatchObject({ text: "message 5" });
    // 5 and 8 are still apart (6 and 7 are missing): the edit waits on.
    log.cover(6, 7);
    expect(log.at(5)).toMatchObject({ text: "above the gap", rev: 8 });
  });

  it("covers seq ranges: the resume point is the top of the lowest range, the gap is what lies between", () => {
    const log = new MessageLog();
    log.merge([...chats(3, 5), ...chats(9, 10), chat(14)]);
    log.cover(3, 5);
    log.cover(9, 10);
    log.cover(14, 14);
    expect(log.firstGap()).toEqual({ after: 5, before: 9 });
    expect(log.contiguousTop).toBe(5);
    log.cover(6, 8);
    expect(log.firstGap()).toEqual({ after: 10, before: 14 });
    // An edit's seq counts like any other: no chat at 11-13, yet nothing is missing there.
    log.cover(11, 13);
    expect(log.firstGap()).toBeUndefined();
    expect(log.contiguousTop).toBe(14);
    expect(log.covers(12)).toBe(true);
    expect(log.has(12)).toBe(false);
    expect(log.oldestSeq).toBe(3);
    expect(log.newestSeq).toBe(14);
  });

  it("places event lines after the newest seq held when they happened", () => {
    const log = new MessageLog();
    log.merge(chats(1, 2));
    log.addEvent({ kind: "joined", user: alice }, 1);
    log.merge([chat(3)]);
    const kinds = log
      .items()
      .map((item) => (item.type === "chat" ? item.message.seq : item.type === "event" ? item.entry.event.kind : item.event.action));
    expect(kinds).toEqual([1, 2, "joined", 3]);
  });

  it("reuses its items array until something changes", () => {
    const log = new MessageLog();
    log.merge(chats(1, 2));
    const first = log.items();
    expect(log.items()).toBe(first);
    log.merge([chat(2)]);
    log.cover(1, 2);
    expect(log.items()).toBe(first);
    log.merge([chat(3, bob)]);
    expect(log.items()).not.toBe(first);
  });

  it("trims the oldest chats with what they cover, drops below a seq, and clears through a seq", () => {
    const log = new MessageLog();
    log.merge(chats(1, 10));
    log.cover(1, 12);
    expect(log.trim(20)).toBe(0);
    expect(log.trim(6)).toBe(4);
    expect(seqsOf(log)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(log.coverage).toEqual([[5, 12]]);
    expect(log.has(4)).toBe(false);
    log.dropBelow(8);
    expect(seqsOf(log)).toEqual([8, 9, 10]);
    expect(log.coverage).toEqual([[8, 12]]);
    expect(log.countBelow(10)).toBe(2);
    log.clearThrough(9);
    expect(seqsOf(log)).toEqual([10]);
    // Everything up to the cleared point counts as covered: nothing there is asked for again.
    expect(log.coverage).toEqual([[1, 12]]);
  });

  it("counts the chats in a range that match, for unread counts", () => {
    const log = new MessageLog();
    log.merge([...chats(1, 4), chat(5, alice), chat(6, bob)]);
    const fromOthers = (message: { from: { id: string } }) => message.from.id !== alice.id;
    expect(log.countChats(2, 6, fromOthers)).toBe(3);
    expect(log.countChats(0, Number.POSITIVE_INFINITY, fromOthers)).toBe(5);
    expect(log.countChats(6, 10, fromOthers)).toBe(0);
  });
});
