import type { ClientFrame, SearchHit } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { SearchOwner } from "../src/search/search-owner";
import { setup } from "./support/client-setup";
import { bob, FakeClock } from "./support/fakes";

type SearchFrame = Extract<ClientFrame, { type: "search" }>;

function hit(seq: number, room = "lobby"): SearchHit {
  return { room, seq, from: bob, ts: 1_700_000_000_000 + seq, snippet: `found ${seq}`, highlights: [[0, 5]] };
}

function owner(options: { online?: boolean } = {}) {
  const clock = new FakeClock();
  const sent: SearchFrame[] = [];
  const link = { online: options.online ?? true };
  let ids = 0;
  const search = new SearchOwner({
    timers: clock,
    send: (frame) => link.online && sent.push(frame as SearchFrame) > 0,
    debounceMs: 250,
    pageSize: 20,
    retryAfterFallbackMs: 1_000,
    newId: () => `q${++ids}`,
  });
  let changes = 0;
  search.subscribe(() => changes++);
  const answer = (frame: SearchFrame | undefined, results: SearchHit[], next?: string) =>
    search.receive({ type: "search-results", clientMsgId: frame?.clientMsgId ?? "none", results, ...(next ? { next } : {}) });
  return { clock, sent, link, search, answer, changes: () => changes };
}

describe("SearchOwner", () => {
  it("searches once the typing pauses for the debounce, not on every keystroke", () => {
    const t = owner();
    t.search.setQuery("t", undefined);
    t.clock.advance(100);
    t.search.setQuery("te", undefined);
    t.clock.advance(249);
    t.search.setQuery("tes", "lobby");
    expect(t.search.getSnapshot().status).toBe("typing");
    t.clock.advance(249);
    expect(t.sent).toEqual([]);
    t.clock.advance(1);
    expect(t.sent).toEqual([{ type: "search", clientMsgId: "q1", query: "tes", limit: 20, room: "lobby" }]);
    expect(t.search.getSnapshot().status).toBe("searching");
    expect(t.answer(t.sent[0], [hit(3), hit(1)])).toBe(true);
    expect(t.search.getSnapshot()).toMatchObject({ status: "done", hits: [hit(3), hit(1)], more: false, error: null });
  });

  it("drops a stale answer: a slow reply to an older query never overwrites the newer one", () => {
    const t = owner();
    t.search.setQuery("alpha", undefined);
    t.clock.advance(250);
    t.search.setQuery("alphabet", undefined);
    t.clock.advance(250);
    const [old, current] = t.sent;
    expect(t.answer(current, [hit(9)])).toBe(true);
    // The older answer comes last: recognised as ours, and dropped.
    expect(t.answer(old, [hit(1), hit(2)])).toBe(true);
    expect(t.search.getSnapshot()).toMatchObject({ query: "alphabet", status: "done", hits: [hit(9)] });
    // An error for the old one is dropped too, and not left for the page's alerts.
    expect(t.search.receive({ type: "error", code: "bad_query", message: "old", clientMsgId: old?.clientMsgId as string })).toBe(true);
    expect(t.search.getSnapshot().error).toBeNull();
    // Frames that are not about our searches pass on.
    expect(t.search.receive({ type: "error", code: "bad_query", message: "someone else's", clientMsgId: "x-1" })).toBe(false);
  });

  it("Enter searches at once; an empty box clears and drops what is on its way", () => {
    const t = owner();
    t.search.setQuery("now", undefined);
    t.search.flush();
    expect(t.sent).toHaveLength(1);
    t.clock.advance(1_000);
    expect(t.sent).toHaveLength(1);
    t.search.setQuery("  ", undefined);
    expect(t.search.getSnapshot().status).toBe("idle");
    t.answer(t.sent[0], [hit(1)]);
    expect(t.search.getSnapshot()).toMatchObject({ status: "idle", hits: [] });
  });

  it("pages on with `next` and appends; a new query starts from the first page", () => {
    const t = owner();
    t.search.setQuery("many", undefined);
    t.search.flush();
    t.answer(t.sent[0], [hit(50), hit(49)], "cursor-1");
    expect(t.search.getSnapshot().more).toBe(true);
    t.search.loadMore();
    t.search.loadMore();
    expect(t.sent).toHaveLength(2);
    expect(t.sent[1]).toMatchObject({ query: "many", cursor: "cursor-1" });
    expect(t.search.getSnapshot().loadingMore).toBe(true);
    t.answer(t.sent[1], [hit(48)]);
    expect(t.search.getSnapshot()).toMatchObject({ hits: [hit(50), hit(49), hit(48)], more: false, loadingMore: false });
    t.search.loadMore();
    expect(t.sent).toHaveLength(2);
  });

  it("shows bad_query with the server's reason", () => {
    const t = owner();
    t.search.setQuery("after:2026-13-01", undefined);
    t.search.flush();
    const reason = "after:2026-13-01 is not a day (YYYY-MM-DD)";
    t.search.receive({ type: "error", code: "bad_query", message: reason, clientMsgId: t.sent[0]?.clientMsgId as string });
    expect(t.search.getSnapshot()).toMatchObject({ status: "failed", error: { code: "bad_query", message: reason }, hits: [] });
  });

  it("asks again after rate_limited's wait, and after a lost link once the next ready comes", () => {
    const t = owner();
    t.search.setQuery("busy", undefined);
    t.search.flush();
    t.search.receive({
      type: "error",
      code: "rate_limited",
      message: "slow down",
      clientMsgId: t.sent[0]?.clientMsgId as string,
      retryAfterMs: 500,
    });
    t.clock.advance(499);
    expect(t.sent).toHaveLength(1);
    t.clock.advance(1);
    expect(t.sent[1]).toMatchObject({ query: "busy" });
    expect(t.sent[1]?.clientMsgId).not.toBe(t.sent[0]?.clientMsgId);

    t.search.linkLost();
    t.link.online = false;
    t.search.linkReady();
    expect(t.sent).toHaveLength(2);
    t.link.online = true;
    t.search.linkReady();
    expect(t.sent).toHaveLength(3);
    // The lost request's answer can no longer be taken: only the new one is.
    t.answer(t.sent[1], [hit(1)]);
    expect(t.search.getSnapshot().status).toBe("searching");
    t.answer(t.sent[2], [hit(2)]);
    expect(t.search.getSnapshot()).toMatchObject({ status: "done", hits: [hit(2)] });
  });
});

describe("ChatClient's search", () => {
  it("is loaded on first use, sends on the tab's socket and takes its answers before anything else reads them", async () => {
    const t = setup({ name: "alice" });
    const socket = t.connect();
    const search = await t.client.loadSearch();
    expect(await t.client.loadSearch()).toBe(search);
    search.setQuery("测试", undefined);
    t.clock.advance(250);
    const frame = socket.sentOf("search")[0];
    expect(frame).toMatchObject({ query: "测试", limit: 20 });
    socket.receive({ type: "error", code: "bad_query", message: "nope", clientMsgId: frame?.clientMsgId as string });
    expect(search.getSnapshot().error?.code).toBe("bad_query");
    // The page's alert is for other errors: the search box shows its own.
    expect(t.snap().alert).toBeNull();
  });
});
