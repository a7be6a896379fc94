import { describe, expect, it } from "vitest";
import { setup } from "./support/client-setup";
import { bob, joined } from "./support/fakes";

describe("search: a request answered by search-results (the page's search box builds on it)", () => {
  it("goes out without a joined room, resolves with its page, and a refusal rejects with the server's code", async () => {
    const t = setup();
    const socket = t.connect(joined());
    const searching = t.client.search({ query: "hello from:bob", room: "elsewhere", limit: 5 });
    const [sent] = socket.sentOf("search");
    expect(sent).toMatchObject({ type: "search", query: "hello from:bob", room: "elsewhere", limit: 5 });
    const hit = { room: "elsewhere", seq: 7, from: bob, ts: 1, snippet: "hello", highlights: [[0, 5]] as [number, number][] };
    socket.receive({ type: "search-results", clientMsgId: sent?.clientMsgId as string, results: [hit] });
    await expect(searching).resolves.toMatchObject({ type: "search-results", results: [hit] });

    const refused = t.client.search({ query: "after:2026-13-01" });
    const [, second] = socket.sentOf("search");
    socket.receive({ type: "error", code: "bad_query", message: "not a day", clientMsgId: second?.clientMsgId as string });
    await expect(refused).rejects.toMatchObject({ code: "bad_query" });
    expect(t.snap().alert).toBeNull();
  });

  it("rejects as offline before ready, and when the link goes before the answer", async () => {
    const t = setup();
    await expect(t.client.search({ query: "x" })).rejects.toMatchObject({ code: "offline" });
    const socket = t.connect(joined());
    const searching = t.client.search({ query: "x" });
    socket.drop(1006);
    await expect(searching).rejects.toMatchObject({ code: "offline" });
  });
});
