import type { ChangeEvent, ChatFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ReplyQuotes } from "../src/room/reply-quotes";
import { bob, carol, chat } from "./support/fakes";

const reply = (seq: number, target: number, text: string): ChatFrame => ({
  ...chat(seq, carol),
  replyTo: { seq: target, from: bob, text },
});
const edit = (seq: number, target: number, text?: string): ChangeEvent => ({
  type: "edit",
  room: "lobby",
  seq,
  ts: seq,
  target,
  ...(text !== undefined ? { text } : {}),
  by: bob,
  clientMsgId: `e${seq}`,
});
const remove = (seq: number, target: number): ChangeEvent => ({
  type: "delete",
  room: "lobby",
  seq,
  ts: seq,
  target,
  by: bob,
  clientMsgId: `d${seq}`,
});

describe("ReplyQuotes", () => {
  it("a reply takes the newest edit of its target seen after its quote was made, keeping the author", () => {
    const quotes = new ReplyQuotes();
    const held = quotes.arrived(reply(10, 2, "old"), 10, undefined);
    expect(quotes.noteEvent(edit(12, 2, "new"))).toBe(true);
    expect(quotes.requote(held).replyTo).toEqual({ seq: 2, from: bob, text: "new" });
    // An older edit seen later is no news.
    expect(quotes.noteEvent(edit(11, 2, "older"))).toBe(false);
  });

  it("a quote made after the news (a page read later) keeps its own text", () => {
    const quotes = new ReplyQuotes();
    quotes.noteEvent(edit(12, 2, "seen live"));
    const fromPage = quotes.arrived(reply(10, 2, "as read at 15"), 15, undefined);
    expect(fromPage.replyTo).toEqual({ seq: 2, from: bob, text: "as read at 15" });
    // Quoted as of 11 (a page asked for when 11 was the newest seq held): the edit at 12 is newer.
    expect(quotes.arrived(reply(10, 2, "as read at 11"), 11, undefined).replyTo).toEqual({ seq: 2, from: bob, text: "seen live" });
  });

  it("a delete, or an edit read after one, makes the quote say the target is gone, with no text", () => {
    const quotes = new ReplyQuotes();
    const first = quotes.arrived(reply(10, 2, "secret"), 10, undefined);
    quotes.noteEvent(remove(11, 2));
    expect(quotes.requote(first).replyTo).toEqual({ seq: 2, deleted: true });
    const other = quotes.arrived(reply(20, 3, "secret too"), 20, undefined);
    quotes.noteEvent(edit(21, 3));
    expect(quotes.requote(other).replyTo).toEqual({ seq: 3, deleted: true });
  });

  it("a reply replaced by a newer state keeps the later of the two quotes", () => {
    const quotes = new ReplyQuotes();
    const live = quotes.arrived(reply(10, 2, "old"), 10, undefined);
    quotes.noteEvent(edit(14, 2, "new"));
    const requoted = quotes.requote(live);
    // The same reply as it stood at 12 (a reaction to it), quoted as of 12: the quote of 14 stays.
    const page = quotes.arrived({ ...reply(10, 2, "as of 12"), rev: 12 }, 12, requoted);
    expect(page.replyTo).toEqual({ seq: 2, from: bob, text: "new" });
    expect(page.rev).toBe(12);
  });

  it("news below the coverage is forgotten: no reply kept or to come is quoted from before it", () => {
    const quotes = new ReplyQuotes();
    quotes.noteEvent(edit(5, 2, "early"));
    quotes.forgetBelow(6);
    const later = quotes.arrived(reply(7, 2, "as read"), 3, undefined);
    expect(later.replyTo).toEqual({ seq: 2, from: bob, text: "as read" });
  });
});
