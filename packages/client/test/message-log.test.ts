import { describe, expect, it } from "vitest";
import { MessageLog } from "../src/room/message-log";
import { alice, bob, chat, chats } from "./support/fakes";

const seqsOf = (log: MessageLog) => log.messages.map((message) => message.seq);

describe("MessageLog", () => {
  it("keeps messages sorted by seq whatever order they arrive in", () => {
    const log = new MessageLog();
    log.merge([chat(5), chat(2)]);
    log.merge([chat(9), chat(1), chat(7)]);
    log.merge([chat(3)]);
    expect(seqsOf(log)).toEqual([1, 2, 3, 5, 7, 9]);
    expect(log.oldestSeq).toBe(1);
    expect(log.newestSeq).toBe(9);
  });

  it("drops duplicates and reports only what was new", () => {
    const log = new MessageLog();
    expect(log.merge(chats(1, 3)).map((m) => m.seq)).toEqual([1, 2, 3]);
    expect(log.merge([chat(2), chat(3), chat(4), chat(4)]).map((m) => m.seq)).toEqual([4]);
    expect(seqsOf(log)).toEqual([1, 2, 3, 4]);
  });

  it("finds the first gap above a seq", () => {
    const log = new MessageLog();
    log.merge([...chats(3, 5), ...chats(9, 10), chat(14)]);
    expect(log.firstGapAfter(3)).toEqual({ after: 5, before: 9 });
    expect(log.firstGapAfter(9)).toEqual({ after: 10, before: 14 });
    expect(log.firstGapAfter(14)).toBeUndefined();
    log.merge(chats(6, 8));
    expect(log.firstGapAfter(3)).toEqual({ after: 10, before: 14 });
  });

  it("places event lines after the newest message held when they happened", () => {
    const log = new MessageLog();
    log.merge(chats(1, 2));
    log.addEvent({ kind: "joined", user: alice }, 1);
    log.merge([chat(3)]);
    const kinds = log.items().map((item) => (item.type === "chat" ? item.message.seq : item.entry.event.kind));
    expect(kinds).toEqual([1, 2, "joined", 3]);
  });

  it("reuses its items array until something changes", () => {
    const log = new MessageLog();
    log.merge(chats(1, 2));
    const first = log.items();
    expect(log.items()).toBe(first);
    log.merge([chat(2)]);
    expect(log.items()).toBe(first);
    log.merge([chat(3, bob)]);
    expect(log.items()).not.toBe(first);
  });

  it("trims the oldest messages, drops below a seq and clears through a seq", () => {
    const log = new MessageLog();
    log.merge(chats(1, 10));
    expect(log.trim(20)).toBe(0);
    expect(log.trim(6)).toBe(4);
    expect(seqsOf(log)).toEqual([5, 6, 7, 8, 9, 10]);
    expect(log.has(4)).toBe(false);
    // A trimmed seq can come back, e.g. from a history page.
    log.merge([chat(4)]);
    expect(log.oldestSeq).toBe(4);
    log.dropBelow(8);
    expect(seqsOf(log)).toEqual([8, 9, 10]);
    expect(log.countBelow(10)).toBe(2);
    log.clearThrough(9);
    expect(seqsOf(log)).toEqual([10]);
  });

  it("holds the seq of an event it cannot show: no gap there, nothing shown, and it goes with what it sits among", () => {
    const log = new MessageLog();
    log.merge([...chats(1, 3), ...chats(6, 6)]);
    const version = log.version;
    expect(log.markSilent(4)).toBe(true);
    expect(log.markSilent(4)).toBe(false);
    expect(log.version).toBe(version + 1);
    expect(log.firstGapAfter(1)).toEqual({ after: 4, before: 6 });
    log.markSilent(5);
    expect(log.firstGapAfter(1)).toBeUndefined();
    expect(log.has(5)).toBe(true);
    expect(log.at(5)).toBeUndefined();
    // A chat at a silent seq is a duplicate, like any other seq held.
    expect(log.merge([chat(5)])).toEqual([]);
    expect(seqsOf(log)).toEqual([1, 2, 3, 6]);
    expect(log.items().map((item) => item.key)).toEqual(["m1", "m2", "m3", "m6"]);
    log.markSilent(9);
    expect(log.newestSeq).toBe(9);
    expect(log.firstGapAfter(1)).toEqual({ after: 6, before: 9 });
    log.dropBelow(5);
    expect(log.silentSeqs).toEqual([5, 9]);
    expect(log.oldestSeq).toBe(5);
    log.clearThrough(6);
    expect(log.silentSeqs).toEqual([9]);
    expect(log.has(5)).toBe(false);
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
