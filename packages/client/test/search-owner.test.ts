import type { ClientFrame, SearchHit } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { setup } from "./support/client-setup";
import { bob, joined } from "./support/fakes";

type SearchFrame = Extract<ClientFrame, { type: "search" }>;

function hit(seq: number, room = "lobby"): SearchHit {
  return { room, seq, from: bob, ts: 1_700_000_000_000 + seq, snippet: `found ${seq}`, highlights: [[0, 5]] };
}

/** Lets the request promises settle (answers are matched by clientMsgId in the client's request layer). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

/** The tab's client on a fake socket, with its search owner loaded. */
async function searching() {
  const t = setup({ name: "alice" });
  const socket = t.connect(joined());
  const search = await t.client.loadSearch();
  const sent = () => socket.sentOf("search");
  const answer = async (frame: SearchFrame | undefined, results: SearchHit[], next?: string) => {
    socket.receive({ type: "search-results", clientMsgId: frame?.clientMsgId as string, results, ...(next ? { next } : {}) });
    await settle();
  };
  const refuse = async (frame: SearchFrame | undefined, code: "bad_query" | "rate_limited", message: string) => {
    socket.receive({
      type: "error",
      code,
      message,
      clientMsgId: frame?.clientMsgId as string,
      ...(code === "rate_limited" ? { retryAfterMs: 500 } : {}),
    });
    await settle();
  };
  return { ...t, socket, search, sent, answer, refuse };
}

describe("SearchOwner", () => {
  it("is loaded once, on first use", async () => {
    const t = await searching();
    expect(await t.client.loadSearch()).toBe(t.search);
  });

  it("searches once the typing pauses for the debounce, not on every keystroke", async () => {
    const t = await searching();
    t.search.setQuery("t", undefined);
    t.clock.advance(100);
    t.search.setQuery("测", undefined);
    t.clock.advance(249);
    t.search.setQuery("测试", "lobby");
    expect(t.search.getSnapshot().status).toBe("typing");
    t.clock.advance(249);
    expect(t.sent()).toEqual([]);
    t.clock.advance(1);
    expect(t.sent()).toEqual([{ type: "search", clientMsgId: expect.any(String), query: "测试", limit: 20, room: "lobby" }]);
    expect(t.search.getSnapshot().status).toBe("searching");
    await t.answer(t.sent()[0], [hit(3), hit(1)]);
    expect(t.search.getSnapshot()).toMatchObject({ status: "done", hits: [hit(3), hit(1)], more: false, error: null });
  });

  it("drops a stale answer, matched by clientMsgId: a slow reply to an older query never overwrites the newer one", async () => {
    const t = await searching();
    t.search.setQuery("alpha", undefined);
    t.clock.advance(250);
    t.search.setQuery("alphabet", undefined);
    t.clock.advance(250);
    const [old, current] = t.sent();
    expect(old?.clientMsgId).not.toBe(current?.clientMsgId);
    await t.answer(current, [hit(9)]);
    // The older answer comes last: taken by its own request, and dropped.
    await t.answer(old, [hit(1), hit(2)]);
    expect(t.search.getSnapshot()).toMatchObject({ query: "alphabet", status: "done", hits: [hit(9)] });
    // An error of a stale request is dropped too, and never reaches the page's alerts.
    t.search.setQuery("beta", undefined);
    t.clock.advance(250);
    t.search.setQuery("betamax", undefined);
    t.clock.advance(250);
    const [, , stale, newest] = t.sent();
    await t.refuse(stale, "bad_query", "old");
    expect(t.search.getSnapshot()).toMatchObject({ query: "betamax", status: "searching", error: null });
    expect(t.snap().alert).toBeNull();
    await t.answer(newest, [hit(4)]);
    expect(t.search.getSnapshot()).toMatchObject({ status: "done", hits: [hit(4)] });
  });

  it("Enter searches at once; an empty box clears and drops what is on its way", async () => {
    const t = await searching();
    t.search.setQuery("now", undefined);
    t.search.flush();
    expect(t.sent()).toHaveLength(1);
    t.clock.advance(1_000);
    expect(t.sent()).toHaveLength(1);
    t.search.setQuery("  ", undefined);
    expect(t.search.getSnapshot().status).toBe("idle");
    await t.answer(t.sent()[0], [hit(1)]);
    expect(t.search.getSnapshot()).toMatchObject({ status: "idle", hits: [] });
  });

  it("pages on with `next` and appends; one page at a time", async () => {
    const t = await searching();
    t.search.setQuery("many", undefined);
    t.search.flush();
    const fullPage = Array.from({ length: 20 }, (_, i) => hit(60 - i));
    await t.answer(t.sent()[0], fullPage, "cursor-1");
    expect(t.search.getSnapshot().more).toBe(true);
    expect(t.sent()).toHaveLength(1);
    t.search.loadMore();
    t.search.loadMore();
    expect(t.sent()).toHaveLength(2);
    expect(t.sent()[1]).toMatchObject({ query: "many", cursor: "cursor-1" });
    expect(t.search.getSnapshot().loadingMore).toBe(true);
    await t.answer(t.sent()[1], [hit(40)]);
    expect(t.search.getSnapshot()).toMatchObject({ hits: [...fullPage, hit(40)], more: false, loadingMore: false });
    t.search.loadMore();
    expect(t.sent()).toHaveLength(2);
  });

  it("reads on by itself past a short page that has `next` (the server's read budget), until the page is full", async () => {
    const t = await searching();
    t.search.setQuery("rare", undefined);
    t.search.flush();
    // The newest 10,000 rows held nothing: an empty page, and where to go on.
    await t.answer(t.sent()[0], [], "cursor-1");
    expect(t.sent()).toHaveLength(2);
    expect(t.sent()[1]).toMatchObject({ query: "rare", cursor: "cursor-1" });
    expect(t.search.getSnapshot()).toMatchObject({ status: "searching", hits: [] });
    await t.answer(t.sent()[1], [hit(7, "attic")], "cursor-2");
    expect(t.sent()[2]).toMatchObject({ cursor: "cursor-2" });
    await t.answer(t.sent()[2], [hit(3, "attic")]);
    expect(t.search.getSnapshot()).toMatchObject({ status: "done", hits: [hit(7, "attic"), hit(3, "attic")], more: false });
  });

  it("shows bad_query with the server's reason", async () => {
    const t = await searching();
    t.search.setQuery("after:2026-13-01", undefined);
    t.search.flush();
    const reason = "after:2026-13-01 is not a day (YYYY-MM-DD)";
    await t.refuse(t.sent()[0], "bad_query", reason);
    expect(t.search.getSnapshot()).toMatchObject({ status: "failed", error: { code: "bad_query", message: reason }, hits: [] });
    expect(t.snap().alert).toBeNull();
  });

  it("asks again after rate_limited's wait, and after a lost link once the next ready comes", async () => {
    const t = await searching();
    t.search.setQuery("busy", undefined);
    t.search.flush();
    await t.refuse(t.sent()[0], "rate_limited", "slow down");
    t.clock.advance(999);
    expect(t.sent()).toHaveLength(1);
    t.clock.advance(1);
    expect(t.sent()[1]).toMatchObject({ query: "busy" });

    // The link drops before the answer: asked again on the next socket, and only that answer is taken.
    t.socket.drop(1006);
    await settle();
    expect(t.search.getSnapshot().status).toBe("searching");
    const again = t.connect(joined());
    const [resent] = again.sentOf("search");
    expect(resent).toMatchObject({ query: "busy" });
    again.receive({ type: "search-results", clientMsgId: resent?.clientMsgId as string, results: [hit(2)] });
    await settle();
    expect(t.search.getSnapshot()).toMatchObject({ status: "done", hits: [hit(2)] });
  });
});
