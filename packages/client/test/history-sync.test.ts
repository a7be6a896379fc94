import type { ChatFrame, PageEvent } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { HistorySync } from "../src/room/history-sync";
import { MessageLog } from "../src/room/message-log";
import type { RoomFrame } from "../src/room/room-link";
import { chats, FakeClock, joined } from "./support/fakes";

const unknown = (seq: number): PageEvent => ({ type: "unknown-event", eventType: "poll", room: "lobby", seq });

function setup(options: { maxMessages?: number } = {}) {
  const clock = new FakeClock();
  const log = new MessageLog();
  const sent: RoomFrame[] = [];
  const state = { open: true, joined: true };
  const history = new HistorySync({
    log,
    link: {
      send: (frame) => state.open && sent.push(frame) > 0,
      isOpen: () => state.open,
      probe: () => {},
    },
    timers: clock,
    joined: () => state.joined,
    maxMessages: options.maxMessages ?? 5_000,
    historyPage: 50,
    gapPage: 100,
  });
  const seqs = () => log.messages.map((message) => message.seq);
  const page = (from: number, to: number, hasOlder = from > 1) => ({
    type: "history" as const,
    room: "lobby",
    messages: chats(from, to),
    hasOlder,
  });
  /** An answer to a forward (`after`) request. */
  const forward = (from: number, to: number, hasNewer = false) => ({
    type: "history" as const,
    room: "lobby",
    messages: chats(from, to),
    hasNewer,
  });
  /** Live events, one at a time. */
  const live = (events: PageEvent[]) => {
    for (const event of events) history.live(event);
  };
  return { clock, log, sent, state, history, seqs, page, forward, live };
}

describe("HistorySync: one request in flight", () => {
  it("fills a hole in the log with one request at a time, the next only after the answer", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(1, 3) }), undefined, false);
    t.live(chats(10, 10));
    t.live(chats(20, 20));
    t.history.pump();
    t.history.pump();
    expect(t.sent).toEqual([{ type: "history", after: 3, limit: 6 }]);
    const answer = t.history.received(t.forward(4, 9, true));
    expect(answer).toMatchObject({ kind: "page", taken: { fresh: chats(4, 9) } });
    expect(t.sent[1]).toEqual({ type: "history", after: 10, limit: 9 });
  });

  it("a gap the server cannot fill any more drops what lies below it and marks the edge unavailable", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(1, 3) }), undefined, false);
    t.live(chats(10, 10));
    t.history.pump();
    t.history.received(t.forward(4, 3));
    expect(t.seqs()).toEqual([10]);
    expect(t.history.edge).toBe("unavailable");
  });

  it("older pages: asks above the oldest held, and reaches the start", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(51, 100), complete: false }), 50, false);
    expect(t.history.edge).toBe("more");
    expect(t.history.loadOlder()).toBe(true);
    expect(t.history.loadOlder()).toBe(false);
    expect(t.history.loadingOlder).toBe(true);
    // The incomplete resume bounds nothing below 51: the backfill to `since` comes first.
    t.history.received(t.page(1, 50, false));
    expect(t.history.loadingOlder).toBe(false);
    expect(t.history.edge).toBe("start");
  });

  it("a rate-limited request is asked again after retryAfterMs", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(60, 100), latestSeq: 100, complete: false }), undefined, false);
    t.history.loadOlder();
    expect(t.sent).toHaveLength(1);
    t.history.rateLimited(2_000);
    expect(t.history.inFlight).toBe(false);
    t.clock.advance(1_999);
    expect(t.sent).toHaveLength(1);
    t.clock.advance(1);
    expect(t.sent).toEqual([
      { type: "history", before: 60, limit: 50 },
      { type: "history", before: 60, limit: 50 },
    ]);
  });

  it("the continuity check goes first, and its answer is handed back unread", () => {
    const t = setup();
    t.live(chats(1, 5));
    t.history.verify(5);
    expect(t.sent).toEqual([{ type: "history", before: 6, limit: 1 }]);
    expect(t.history.received(t.page(5, 5))).toEqual({ kind: "continuity" });
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5]);
  });

  it("nothing is asked before joined is applied, nor over a closed link; a lost link forgets the request", () => {
    const t = setup();
    t.state.joined = false;
    t.live(chats(1, 1));
    t.live(chats(5, 5));
    t.history.pump();
    expect(t.sent).toEqual([]);
    t.state.joined = true;
    t.state.open = false;
    t.history.pump();
    expect(t.sent).toEqual([]);
    t.state.open = true;
    t.history.pump();
    expect(t.history.inFlight).toBe(true);
    t.history.linkLost(false);
    expect(t.history.inFlight).toBe(false);
  });
});

describe("HistorySync: filling holes reads forward", () => {
  it("a forward page that starts above the hole (the server trimmed its start) drops what lies below and fills on above", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(1, 3) }), undefined, false);
    t.live(chats(300, 300));
    t.history.pump();
    expect(t.sent).toEqual([{ type: "history", after: 3, limit: 100 }]);
    t.history.received(t.forward(200, 250, true));
    expect(t.seqs()[0]).toBe(200);
    expect(t.history.edge).toBe("unavailable");
    expect(t.sent[1]).toEqual({ type: "history", after: 250, limit: 49 });
    t.history.received(t.forward(251, 299, true));
    expect(t.seqs()).toEqual(chats(200, 300).map((message) => message.seq));
    expect(t.sent).toHaveLength(2);
  });

  it("an event it cannot show fills its seq: the position passes it and no hole is asked for", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(1, 3) }), undefined, false);
    t.live([unknown(4), unknown(4), ...chats(5, 5)]);
    t.history.pump();
    expect(t.sent).toEqual([]);
    expect(t.history.resumePoint()).toBe(5);
    expect(t.history.latestSeq).toBe(5);
    t.live([unknown(7)]);
    t.history.pump();
    expect(t.sent).toEqual([{ type: "history", after: 5, limit: 1 }]);
  });
});

describe("HistorySync: the window and the resume point", () => {
  it("the resume point is the end of the contiguous run from the oldest held, or the cleared point when empty", () => {
    const t = setup();
    expect(t.history.resumePoint()).toBeUndefined();
    t.live([...chats(3, 6), ...chats(9, 9)]);
    expect(t.history.resumePoint()).toBe(6);
    t.history.clear();
    expect(t.history.clearedThroughSeq).toBe(9);
    expect(t.history.edge).toBe("cleared");
    expect(t.history.resumePoint()).toBe(9);
    // Cleared messages never come back, from any source.
    expect(t.history.live(chats(8, 8)[0] as ChatFrame).fresh).toEqual([]);
    expect(t.history.live(chats(10, 10)[0] as ChatFrame).fresh.map((message) => message.seq)).toEqual([10]);
  });

  it("the live end is capped at maxMessages; pages the reader asked for are kept", () => {
    const t = setup({ maxMessages: 5 });
    t.live(chats(1, 8));
    expect(t.seqs()).toEqual([4, 5, 6, 7, 8]);
    expect(t.history.edge).toBe("more");
    t.history.loadOlder();
    expect(t.sent).toEqual([{ type: "history", before: 4, limit: 50 }]);
    t.history.received(t.page(1, 3, false));
    expect(t.seqs()).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("an incomplete resume backfills down to `since`, and the resume point stays there until it is filled", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(1, 10) }), undefined, false);
    t.history.joined(joined({ messages: chats(21, 30), complete: false, latestSeq: 30 }), 10, false);
    expect(t.history.resumePoint()).toBe(10);
    t.history.pump();
    expect(t.sent).toEqual([{ type: "history", after: 10, limit: 10 }]);
    t.history.received(t.forward(11, 20, true));
    expect(t.history.resumePoint()).toBe(30);
  });

  it("a store reset empties the log and the cleared point, then joined fills the newest page", () => {
    const t = setup();
    t.live(chats(1, 5));
    t.history.clear();
    t.history.storeReset();
    expect(t.seqs()).toEqual([]);
    expect(t.history.clearedThroughSeq).toBe(0);
    t.history.joined(joined({ messages: chats(90, 100), latestSeq: 100, complete: false }), 5, true);
    expect(t.history.loadingOlder).toBe(true);
  });
});

describe("HistorySync: what each source covers", () => {
  const sparse = (...seqs: number[]) => seqs.map((seq) => chats(seq, seq)[0] as ChatFrame);

  it("a fresh join covers from its first chat (from 1 when complete) to latestSeq", () => {
    const t = setup();
    t.history.joined(joined({ messages: sparse(5, 8), latestSeq: 10, complete: false }), undefined, false);
    expect(t.log.coverage).toEqual([[5, 10]]);
    expect(t.history.resumePoint()).toBe(10);
    const complete = setup();
    complete.history.joined(joined({ messages: sparse(3, 4), latestSeq: 6, complete: true }), undefined, false);
    expect(complete.log.coverage).toEqual([[1, 6]]);
    // A room with nothing in it yet covers nothing: the next join is a fresh one too.
    const empty = setup();
    empty.history.joined(joined({ messages: [], latestSeq: 0 }), undefined, false);
    expect(empty.history.resumePoint()).toBeUndefined();
  });

  it("a before page covers from its first chat (from 1 when nothing is older) up to below `before`", () => {
    const t = setup();
    t.history.joined(joined({ messages: sparse(20, 22), latestSeq: 22, complete: false }), undefined, false);
    t.history.loadOlder();
    expect(t.sent).toEqual([{ type: "history", before: 20, limit: 50 }]);
    t.history.received({ type: "history", room: "lobby", messages: sparse(12, 15), hasOlder: true });
    expect(t.log.coverage).toEqual([[12, 22]]);
    t.history.loadOlder();
    t.history.received({ type: "history", room: "lobby", messages: sparse(1, 4), hasOlder: false });
    expect(t.log.coverage).toEqual([[1, 22]]);
    expect(t.history.edge).toBe("start");
    t.history.pump();
    expect(t.sent).toHaveLength(2);
  });

  it("a complete resume covers everything after since; an incomplete one only what it carries, and the rest is a gap", () => {
    const t = setup();
    t.history.joined(joined({ messages: chats(1, 3) }), undefined, false);
    const change = (seq: number): PageEvent => ({
      type: "reaction",
      room: "lobby",
      seq,
      ts: seq,
      target: 1,
      emoji: "👍",
      on: seq % 2 === 0,
      by: { id: "u-carol", name: "carol" },
      clientMsgId: `r${seq}`,
    });
    t.history.joined({ ...joined({ latestSeq: 5 }), messages: [change(4), change(5)] }, 3, false);
    expect(t.log.coverage).toEqual([[1, 5]]);
    t.history.joined({ ...joined({ latestSeq: 12, complete: false }), messages: [change(11), change(12)] }, 5, false);
    expect(t.log.coverage).toEqual([
      [1, 5],
      [11, 12],
    ]);
    t.history.pump();
    expect(t.sent).toEqual([{ type: "history", after: 5, limit: 5 }]);
    t.history.received({ type: "history", room: "lobby", messages: [change(6), change(7), unknown(8), ...chats(9, 10)], hasNewer: false });
    expect(t.log.coverage).toEqual([[1, 12]]);
    expect(t.history.resumePoint()).toBe(12);
    // Every change took effect once and in order: 4..7 and 11, 12 toggle the same reaction.
    expect(t.log.at(1)).toMatchObject({ rev: 12, reactions: [{ emoji: "👍", count: 1 }] });
  });

  it("a gap bigger than the log keeps is dropped with what lies below it; paging reaches back instead", () => {
    const t = setup({ maxMessages: 5 });
    t.history.joined(joined({ messages: chats(1, 3) }), undefined, false);
    t.live(chats(20, 21));
    t.history.pump();
    expect(t.seqs()).toEqual([20, 21]);
    expect(t.log.coverage).toEqual([[20, 21]]);
    expect(t.history.edge).toBe("more");
    expect(t.sent).toEqual([]);
  });
});

describe("HistorySync: an empty window onto a room with history", () => {
  it("loads the page below what it covers by itself when it holds no chat (the newest events were all changes)", () => {
    const t = setup();
    const reaction = (seq: number): PageEvent => ({
      type: "reaction",
      room: "lobby",
      seq,
      ts: seq,
      target: 1,
      emoji: "👍",
      on: true,
      by: { id: "u-carol", name: "carol" },
      clientMsgId: `r${seq}`,
    });
    t.history.restore([], [[3, 5]], 0);
    t.history.joined({ ...joined({ latestSeq: 6 }), messages: [reaction(6)] }, 5, false);
    t.history.pump();
    expect(t.history.loadingOlder).toBe(true);
    expect(t.sent).toEqual([{ type: "history", before: 3, limit: 50 }]);
    t.history.received(t.page(1, 2, false));
    expect(t.seqs()).toEqual([1, 2]);
    expect(t.history.loadingOlder).toBe(false);
  });
});
