import type { ChatFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { memoryStore } from "../src/persistence/storage";
import { setup } from "./support/client-setup";
import { alice, bob, carol, chat, chats, joined, ready } from "./support/fakes";

const mine = (seq: number, text: string, clientMsgId: string): ChatFrame => chat(seq, alice, text, clientMsgId);

describe("ChatClient: joined and the log", () => {
  it("says hello with its name on the bare endpoint, joins the room, and shows the joined messages, members and history start", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ messages: chats(1, 3), members: [alice, bob] }));
    expect(socket.url).toBe("ws://test/ws");
    expect(socket.hello).toEqual({ type: "hello", protocol: 2, name: "alice" });
    expect(socket.sentOf("join")).toEqual([{ type: "join", room: "lobby" }]);
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    expect(t.snap().me).toEqual(alice);
    expect(t.snap().members).toEqual([alice, bob]);
    expect(t.snap().memberCount).toBe(2);
    expect(t.snap().historyEdge).toBe("start");
    expect(t.snap().connection.status).toBe("open");
  });

  it("shows a chat that arrives twice only once", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 2) }));
    socket.receive(chat(3));
    socket.receive(chat(3));
    socket.receive(chat(2));
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    expect(t.snap().incomingCount).toBe(1);
    expect(t.snap().lastIncoming?.seq).toBe(3);
  });

  it("fills a gap in the live stream with a history request and asks nothing more once whole", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    socket.receive(chat(6));
    // A hole is read forward, so no event inside it is missed whatever its kind.
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", after: 3, limit: 2 }]);
    socket.receive(chat(7));
    expect(socket.sentOf("history")).toHaveLength(1);
    socket.receive({ type: "history", room: "lobby", messages: chats(4, 5), hasNewer: true });
    expect(t.chatSeqs()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(socket.sentOf("history")).toHaveLength(1);
  });

  it("asks again for a gap after the server's history budget refuses the request", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    socket.receive(chat(6));
    socket.receive({ type: "error", code: "rate_limited", message: "slow down", room: "lobby", retryAfterMs: 500 });
    expect(t.snap().alert).toBeNull();
    expect(socket.sentOf("history")).toHaveLength(1);
    t.clock.advance(500);
    expect(socket.sentOf("history")).toEqual([
      { type: "history", room: "lobby", after: 3, limit: 2 },
      { type: "history", room: "lobby", after: 3, limit: 2 },
    ]);
    socket.receive({ type: "history", room: "lobby", messages: chats(4, 5), hasNewer: true });
    expect(t.chatSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it("gives up on a gap the server cannot fill instead of asking forever", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    socket.receive(chat(10));
    socket.receive({ type: "history", room: "lobby", messages: [], hasNewer: false });
    expect(t.chatSeqs()).toEqual([10]);
    expect(t.snap().historyEdge).toBe("unavailable");
    expect(socket.sentOf("history")).toHaveLength(1);
  });

  it("loads older pages one request at a time alongside gap filling, and marks the start", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(51, 100), latestSeq: 100, complete: false }));
    expect(t.snap().historyEdge).toBe("more");
    // No since: an incomplete joined only means there is older history, not a hole.
    expect(socket.sentOf("history")).toHaveLength(0);

    t.client.loadOlder();
    expect(t.snap().loadingOlder).toBe(true);
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 51, limit: 50 }]);
    socket.receive(chat(103));
    // A hole appeared, but the older page is still in flight: one request at a time.
    expect(socket.sentOf("history")).toHaveLength(1);

    socket.receive({ type: "history", room: "lobby", messages: chats(1, 50), hasOlder: false });
    expect(t.snap().loadingOlder).toBe(false);
    expect(t.snap().historyEdge).toBe("start");
    expect(socket.sentOf("history")[1]).toEqual({ type: "history", room: "lobby", after: 100, limit: 2 });
    socket.receive({ type: "history", room: "lobby", messages: chats(101, 102), hasNewer: true });
    expect(t.chatSeqs()).toEqual(chats(1, 103).map((m) => m.seq));
    t.client.loadOlder();
    expect(socket.sentOf("history")).toHaveLength(2);
  });

  it("marks older messages unavailable when the server has trimmed them", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(200, 249), latestSeq: 249, complete: false }));
    t.client.loadOlder();
    socket.receive({ type: "history", room: "lobby", messages: chats(180, 199), hasOlder: false });
    expect(t.snap().historyEdge).toBe("unavailable");
    expect(t.chatSeqs()[0]).toBe(180);
  });

  it("keeps at most maxMessages, and says there is more above after trimming", () => {
    const t = setup({ maxMessages: 10 });
    const socket = t.connect(joined({ messages: chats(1, 10) }));
    expect(t.snap().historyEdge).toBe("start");
    socket.receive(chat(11));
    expect(t.chatSeqs()).toEqual(chats(2, 11).map((m) => m.seq));
    expect(t.snap().historyEdge).toBe("more");
    t.client.loadOlder();
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 2, limit: 50 }]);
    // A page the reader asked for is kept even past the cap.
    socket.receive({ type: "history", room: "lobby", messages: [chat(1)], hasOlder: false });
    expect(t.chatSeqs()[0]).toBe(1);
    expect(t.snap().historyEdge).toBe("start");
  });

  it("turns join, leave and rename frames into members and log lines", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ members: [alice, bob] }));
    socket.receive({ type: "system", room: "lobby", ts: 1, joined: [carol], left: [bob], renamed: [], memberCount: 2 });
    socket.receive({
      type: "system",
      room: "lobby",
      ts: 2,
      joined: [],
      left: [],
      renamed: [{ user: { id: alice.id, name: "alicia" }, previousName: "alice" }],
      memberCount: 2,
    });
    expect(t.events()).toEqual(["joined", "left", "renamed"]);
    expect(
      t
        .snap()
        .members.map((user) => user.name)
        .sort(),
    ).toEqual(["alicia", "carol"]);
    expect(t.snap().me?.name).toBe("alicia");
    expect(t.tab.getItem("chatroom:tab")).toContain("alicia");
    expect(t.browser.getItem("chatroom:last-name")).toBe("alicia");
  });

  it("after a reconnect, members who were listed before come back without a joined line; newcomers still get one", () => {
    const t = setup({ name: "alice" });
    const first = t.connect(joined({ members: [alice, bob] }));
    first.drop(1006);
    // A restarted server: everyone reconnects at their own pace, bob after us.
    t.connect(joined({ members: [alice] }));
    t.sockets.last.receive({ type: "system", room: "lobby", ts: 3, joined: [bob, carol], left: [], renamed: [], memberCount: 3 });
    expect(t.events()).toEqual(["disconnected", "connected", "joined"]);
    expect(t.snap().members.map((user) => user.name)).toEqual(["alice", "bob", "carol"]);
    // Once back, leaving and joining again is news again.
    t.sockets.last.receive({ type: "system", room: "lobby", ts: 4, joined: [], left: [bob], renamed: [], memberCount: 2 });
    t.sockets.last.receive({ type: "system", room: "lobby", ts: 5, joined: [bob], left: [], renamed: [], memberCount: 3 });
    expect(t.events()).toEqual(["disconnected", "connected", "joined", "left", "joined"]);
  });

  it("a quiet return is only quiet for a while after the reconnect", () => {
    const t = setup({ name: "alice" });
    t.connect(joined({ members: [alice, bob] })).drop(1006);
    t.connect(joined({ members: [alice] }));
    // Past the 30 s of quiet, but before the idle link's first unanswered ping (25 s + 10 s) drops it.
    t.clock.advance(31_000);
    t.sockets.last.receive({ type: "system", room: "lobby", ts: 3, joined: [bob], left: [], renamed: [], memberCount: 2 });
    expect(t.events()).toEqual(["disconnected", "connected", "joined"]);
  });
});

describe("ChatClient: outbox", () => {
  it("shows a send as pending at once and as sent on its ack, then drops it on the echo", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 2) }));
    expect(t.client.send("  hello  ")).toBe(true);
    const [sent] = socket.sentOf("chat");
    expect(sent?.text).toBe("hello");
    expect(t.snap().outbox).toMatchObject([{ text: "hello", status: "pending" }]);

    const id = sent?.clientMsgId ?? "";
    socket.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 3, ts: 5 });
    expect(t.snap().outbox).toMatchObject([{ status: "sent", seq: 3 }]);
    socket.receive(mine(3, "hello", id));
    expect(t.snap().outbox).toEqual([]);
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    expect(t.snap().incomingCount).toBe(0);
  });

  it("treats its own echo arriving before the ack as delivery", () => {
    const t = setup();
    const socket = t.connect();
    t.client.send("quick");
    const id = socket.sentOf("chat")[0]?.clientMsgId ?? "";
    socket.receive(mine(1, "quick", id));
    expect(t.snap().outbox).toEqual([]);
    socket.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 1, ts: 5 });
    expect(t.snap().outbox).toEqual([]);
    expect(t.chatSeqs()).toEqual([1]);
  });

  it("refuses empty text and text over the limit without sending", () => {
    const t = setup();
    const socket = t.connect();
    expect(t.client.send("   ")).toBe(false);
    expect(t.client.send("x".repeat(2001))).toBe(false);
    expect(t.snap().alert?.code).toBe("too_long_local");
    expect(socket.sentOf("chat")).toEqual([]);
  });

  it("holds sends while offline and resends unacked ones with the same id after reconnecting, with since and session", () => {
    const t = setup({ name: "alice" });
    const first = t.connect(joined({ messages: chats(1, 4) }), ready({ session: "session-aaaaaaaaaaaaaaaa" }));
    t.client.send("one");
    const id = first.sentOf("chat")[0]?.clientMsgId;
    first.drop(1006);
    expect(t.snap().connection.status).toBe("reconnecting");
    t.client.send("two");
    expect(t.snap().outbox.map((entry) => entry.status)).toEqual(["pending", "pending"]);

    const second = t.connect(joined({ messages: [], latestSeq: 4 }), ready({ session: "session-aaaaaaaaaaaaaaaa" }));
    expect(second.joinOf()?.since).toBe(4);
    expect(second.hello).toEqual({ type: "hello", protocol: 2, session: "session-aaaaaaaaaaaaaaaa", name: "alice" });
    expect(second.sentOf("chat").map((frame) => frame.text)).toEqual(["one", "two"]);
    expect(second.sentOf("chat")[0]?.clientMsgId).toBe(id);
    expect(t.events()).toEqual(["disconnected", "connected"]);
  });

  it("drops an acked entry whose echo was lost with the link, once joined shows it was stored", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 2) }));
    t.client.send("stored");
    const id = first.sentOf("chat")[0]?.clientMsgId ?? "";
    first.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 3, ts: 1 });
    first.drop(1001);
    const second = t.connect(joined({ messages: [mine(3, "stored", id)], latestSeq: 3 }));
    expect(t.snap().outbox).toEqual([]);
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    expect(second.sentOf("chat")).toEqual([]);
  });

  it("turns a send failed after the ack timeout, and retry sends the same id again", () => {
    const t = setup();
    const socket = t.connect();
    t.client.send("lost");
    t.clock.advance(14_999);
    expect(t.snap().outbox[0]?.status).toBe("pending");
    t.clock.advance(1);
    expect(t.snap().outbox[0]?.status).toBe("failed");

    t.client.retry(t.snap().outbox[0]?.clientMsgId ?? "");
    expect(t.snap().outbox[0]?.status).toBe("pending");
    const [firstTry, secondTry] = socket.sentOf("chat");
    expect(secondTry?.clientMsgId).toBe(firstTry?.clientMsgId);
    socket.receive({ type: "ack", room: "lobby", clientMsgId: firstTry?.clientMsgId ?? "", seq: 1, ts: 1 });
    expect(t.snap().outbox[0]?.status).toBe("sent");
  });

  it("does not count time offline toward the ack timeout", () => {
    const t = setup();
    const socket = t.connect();
    socket.drop(1006);
    t.client.send("offline");
    t.clock.advance(600);
    expect(t.snap().outbox[0]?.status).toBe("pending");
    expect(t.snap().connection.status).toBe("reconnecting");
    // Still waiting for a socket after 30 s: pending, not failed.
    t.sockets.last.drop(1006);
    t.clock.advance(30_000);
    expect(t.snap().outbox[0]?.status).toBe("pending");
  });

  it("resends after rate_limited and server_error with the same id, and fails if the server keeps refusing", () => {
    const t = setup();
    const socket = t.connect();
    t.client.send("busy");
    const id = socket.sentOf("chat")[0]?.clientMsgId ?? "";
    socket.receive({ type: "error", code: "rate_limited", message: "slow down", room: "lobby", clientMsgId: id, retryAfterMs: 500 });
    expect(t.snap().outbox[0]?.status).toBe("pending");
    t.clock.advance(499);
    expect(socket.sentOf("chat")).toHaveLength(1);
    t.clock.advance(1);
    expect(socket.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual([id, id]);

    socket.receive({ type: "error", code: "server_error", message: "not stored", room: "lobby", clientMsgId: id });
    t.clock.advance(1000);
    expect(socket.sentOf("chat")).toHaveLength(3);
    for (let i = 0; i < 20 && t.snap().outbox[0]?.status === "pending"; i++) {
      socket.receive({ type: "error", code: "rate_limited", message: "slow down", room: "lobby", clientMsgId: id, retryAfterMs: 1000 });
      t.clock.advance(1000);
    }
    expect(t.snap().outbox[0]?.status).toBe("failed");
    expect(t.clock.now() - (t.snap().outbox[0]?.createdAt ?? 0)).toBeLessThanOrEqual(16_000);
  });

  it("turns a send the server refuses outright failed with its reason", () => {
    const t = setup();
    const socket = t.connect();
    t.client.send("bad");
    const id = socket.sentOf("chat")[0]?.clientMsgId ?? "";
    socket.receive({ type: "error", code: "too_long", message: "text is too long", room: "lobby", clientMsgId: id });
    expect(t.snap().outbox[0]).toMatchObject({ status: "failed", failure: "text is too long", failureCode: "too_long" });
    // A retry starts clean: the old reason does not linger on the new attempt.
    t.client.retry(id);
    expect(t.snap().outbox[0]).toMatchObject({ status: "pending" });
    expect(t.snap().outbox[0]).not.toHaveProperty("failureCode");
  });
});

describe("ChatClient: a link that dies silently", () => {
  it("an ack timeout probes the link; with no pong it reconnects and resends the unanswered sends by itself, same ids", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 2) }));
    t.client.send("one");
    t.client.send("two");
    const ids = first.sentOf("chat").map((frame) => frame.clientMsgId);
    t.clock.advance(15_000);
    // No answer: failed for now, and a ping goes out at once to check the link.
    expect(t.snap().outbox.map((entry) => entry.status)).toEqual(["failed", "failed"]);
    expect(first.sentOf("ping")).toHaveLength(1);
    expect(t.snap().connection.status).toBe("open");

    t.clock.advance(3_000);
    // The probe went unanswered: the socket is dropped, and the sends wait for the next link as pending.
    expect(t.snap().connection.status).toBe("reconnecting");
    expect(t.snap().outbox).toMatchObject([
      { status: "pending", clientMsgId: ids[0] },
      { status: "pending", clientMsgId: ids[1] },
    ]);
    expect(t.snap().outbox[0]?.failure).toBeUndefined();

    const second = t.connect(joined({ messages: [], latestSeq: 2 }));
    expect(second.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual(ids);
    second.receive({ type: "ack", room: "lobby", clientMsgId: ids[0] ?? "", seq: 3, ts: 1 });
    second.receive({ type: "ack", room: "lobby", clientMsgId: ids[1] ?? "", seq: 4, ts: 1 });
    expect(t.snap().outbox.map((entry) => entry.status)).toEqual(["sent", "sent"]);
  });

  it("an ack timeout on a link that answers the probe stays failed until retried or the next joined", () => {
    const t = setup();
    const first = t.connect();
    t.client.send("slow");
    const id = first.sentOf("chat")[0]?.clientMsgId;
    t.clock.advance(15_000);
    first.receive({ type: "pong" });
    t.clock.advance(3_000);
    expect(t.snap().connection.status).toBe("open");
    expect(t.snap().outbox[0]).toMatchObject({ status: "failed", failure: "No answer from the server." });
    expect(first.sentOf("chat")).toHaveLength(1);

    // The next joined resends it without a click.
    first.drop(1006);
    expect(t.snap().outbox[0]?.status).toBe("pending");
    const second = t.connect();
    expect(second.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual([id]);
  });

  it("does not resend a send the server refused", () => {
    const t = setup();
    const first = t.connect();
    t.client.send("refused");
    const id = first.sentOf("chat")[0]?.clientMsgId ?? "";
    first.receive({ type: "error", code: "bad_frame", message: "no", room: "lobby", clientMsgId: id });
    first.drop(1006);
    expect(t.snap().outbox[0]?.status).toBe("failed");
    const second = t.connect();
    expect(second.sentOf("chat")).toEqual([]);
    expect(t.snap().outbox[0]).toMatchObject({ status: "failed", failure: "no" });
  });

  it("the browser's offline event drops the link at once; sends wait as pending and go out once back online", () => {
    const t = setup();
    const first = t.connect();
    t.linkLost.fire();
    expect(t.snap().connection.status).toBe("reconnecting");
    expect(first.closedWith).toBeDefined();
    t.client.send("while offline");
    expect(t.snap().outbox[0]?.status).toBe("pending");
    // `online` is a wakeup: the retry comes at once, not after the backoff.
    t.wakeups.fire();
    const second = t.sockets.last;
    expect(second).not.toBe(first);
    second.open();
    second.receive(ready());
    second.receive(joined());
    expect(second.sentOf("chat").map((frame) => frame.text)).toEqual(["while offline"]);
  });

  it("an unanswered send persisted as failed is pending again after a reload and goes out on joined", () => {
    const tab = memoryStore();
    const before = setup({ tab });
    const socket = before.connect();
    before.client.send("timed out");
    before.clock.advance(15_000);
    socket.receive({ type: "pong" });
    expect(before.snap().outbox[0]?.status).toBe("failed");
    before.client.flushStorage();

    const after = setup({ tab });
    expect(after.snap().outbox[0]?.status).toBe("pending");
    const resumed = after.connect();
    expect(resumed.sentOf("chat").map((frame) => frame.text)).toEqual(["timed out"]);
  });
});

describe("ChatClient: reloads, resets and identity", () => {
  it("restores the session, name, log and unsent outbox after a reload, and sends the outbox", () => {
    const tab = memoryStore();
    const browser = memoryStore();
    const before = setup({ tab, browser, name: "alice" });
    const socket = before.connect(joined({ messages: chats(1, 5) }), ready({ session: "session-bbbbbbbbbbbbbbbb" }));
    socket.drop(1006);
    before.client.send("written offline");
    const id = before.snap().outbox[0]?.clientMsgId;
    before.client.flushStorage();

    const after = setup({ tab, browser, name: "someone-else" });
    expect(after.chatSeqs()).toEqual([1, 2, 3, 4, 5]);
    expect(after.snap().outbox).toMatchObject([{ text: "written offline", status: "pending" }]);
    const resumed = after.connect(joined({ messages: [chat(6)] }), ready({ session: "session-bbbbbbbbbbbbbbbb" }));
    expect(resumed.hello).toMatchObject({ type: "hello", session: "session-bbbbbbbbbbbbbbbb" });
    expect(resumed.joinOf()?.since).toBe(5);
    // The session's own name wins over a ?name= that only names new participants.
    expect(resumed.hello).toMatchObject({ name: "alice" });
    expect(resumed.sentOf("chat")).toMatchObject([{ text: "written offline", clientMsgId: id }]);
    expect(after.chatSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(after.snap().nameAdjusted).toBeNull();
  });

  it("fills what a resume's joined could not carry with after pages from since, until the hole is closed", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    first.drop(1006);
    const second = t.connect(joined({ messages: chats(504, 1003), latestSeq: 1003, complete: false }));
    expect(second.joinOf()?.since).toBe(3);
    expect(second.sentOf("history")).toEqual([{ type: "history", room: "lobby", after: 3, limit: 100 }]);
    second.receive({ type: "history", room: "lobby", messages: chats(4, 103), hasNewer: true });
    expect(second.sentOf("history")[1]).toEqual({ type: "history", room: "lobby", after: 103, limit: 100 });
    for (let after = 103; after < 503; after += 100) {
      second.receive({ type: "history", room: "lobby", messages: chats(after + 1, after + 100), hasNewer: true });
    }
    expect(second.sentOf("history").map((frame) => frame.after)).toEqual([3, 103, 203, 303, 403]);
    expect(t.chatSeqs()).toEqual(chats(1, 1003).map((message) => message.seq));
    expect(t.snap().historyEdge).toBe("start");
  });

  it("after Clear, resumes from the cleared point and backfills down to it", () => {
    const tab = memoryStore();
    const t = setup({ tab });
    t.connect(joined({ messages: chats(1, 10) }));
    t.client.clear();
    expect(t.chatSeqs()).toEqual([]);
    t.client.flushStorage();

    const reloaded = setup({ tab });
    const socket = reloaded.connect(joined({ messages: chats(511, 1010), latestSeq: 1010, complete: false }));
    expect(socket.joinOf()?.since).toBe(10);
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", after: 10, limit: 100 }]);
  });

  it("marks where the user cleared, not a hole, and loads nothing above it", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 10) }));
    t.client.clear();
    expect(t.snap().historyEdge).toBe("cleared");
    socket.receive(chat(11));
    t.client.loadOlder();
    expect(t.snap().historyEdge).toBe("cleared");
    expect(socket.sentOf("history")).toEqual([]);
    expect(t.chatSeqs()).toEqual([11]);
  });

  it("detects a server whose store was reset, starts the log over and resends acked messages it lost", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 8) }));
    t.client.send("acked then lost");
    const id = first.sentOf("chat")[0]?.clientMsgId ?? "";
    first.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 9, ts: 1 });
    first.drop(1001);

    const second = t.connect(joined({ messages: [], latestSeq: 2 }));
    expect(second.joinOf()?.since).toBe(8);
    expect(t.chatSeqs()).toEqual([]);
    expect(second.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 3, limit: 50 }]);
    expect(second.sentOf("chat")).toMatchObject([{ clientMsgId: id }]);
    second.receive({ type: "history", room: "lobby", messages: chats(1, 2), hasOlder: false });
    expect(t.chatSeqs()).toEqual([1, 2]);
    expect(t.snap().historyEdge).toBe("start");
  });

  it("explains a suffixed name at join, and a refused rename", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ you: { id: "u1", name: "alice (2)" } }), ready({ you: { id: "u1", name: "alice" } }));
    expect(t.snap().nameAdjusted).toEqual({ requested: "alice", given: "alice (2)" });
    t.client.dismissAlert();
    t.client.setName("bob");
    expect(socket.sentOf("rename")).toEqual([{ type: "rename", name: "bob" }]);
    socket.receive({ type: "error", code: "name_taken", message: "taken", room: "lobby" });
    expect(t.snap().alert).toMatchObject({ code: "name_taken", name: "bob" });
    expect(t.snap().me?.name).toBe("alice (2)");
  });

  it("a later successful rename clears the refused rename's alert and the join's suffix notice", () => {
    const t = setup({ name: "alice" });
    const socket = t.connect(joined({ you: { id: "u1", name: "alice (2)" } }), ready({ you: { id: "u1", name: "alice" } }));
    const renamed = (name: string, previousName: string) =>
      socket.receive({
        type: "system",
        room: "lobby",
        ts: 1,
        joined: [],
        left: [],
        renamed: [{ user: { id: "u1", name }, previousName }],
        memberCount: 1,
      });
    t.client.setName("bob");
    socket.receive({ type: "error", code: "name_taken", message: "taken", room: "lobby" });
    expect(t.snap().alert).toMatchObject({ code: "name_taken", name: "bob" });
    expect(t.snap().nameAdjusted).not.toBeNull();
    t.client.setName("robert");
    renamed("robert", "alice (2)");
    expect(t.snap().me?.name).toBe("robert");
    expect(t.snap().alert).toBeNull();
    expect(t.snap().nameAdjusted).toBeNull();

    // A success of an older rename that lands after a newer refusal does not hide that refusal.
    t.client.setName("rob");
    t.client.setName("carol");
    socket.receive({ type: "error", code: "name_taken", message: "taken", room: "lobby" });
    renamed("rob", "robert");
    expect(t.snap().alert).toMatchObject({ code: "name_taken", name: "carol" });
  });

  it("a message that fits clears the too-long alert", () => {
    const t = setup();
    t.connect();
    t.client.send("x".repeat(2001));
    expect(t.snap().alert?.code).toBe("too_long_local");
    t.client.send("shorter");
    expect(t.snap().alert).toBeNull();
  });

  it("repeats a rename made while offline once back", () => {
    const t = setup({ name: "alice" });
    const first = t.connect();
    first.drop(1006);
    t.client.setName("alicia");
    const second = t.connect();
    expect(second.sentOf("rename")).toEqual([{ type: "rename", name: "alicia" }]);
    expect(t.snap().nameAdjusted).toBeNull();
  });

  it("forgets the session after 4001 and comes back as a new participant only when asked", () => {
    const t = setup();
    const first = t.connect(joined(), ready({ session: "session-cccccccccccccccc" }));
    first.drop(4001);
    expect(t.snap().connection).toMatchObject({ status: "closed", reason: "replaced" });
    t.clock.advance(60_000);
    expect(t.sockets.sockets).toHaveLength(1);
    t.client.retryNow();
    t.sockets.last.open();
    expect(t.sockets.last.hello).toEqual({ type: "hello", protocol: 2, name: "alice" });
  });

  it("keeps each room's log apart when switching rooms, all on the one socket", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    t.client.openRoom("dev");
    expect(socket.closedWith).toBeUndefined();
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.chatSeqs()).toEqual([]);
    expect(socket.joinOf("dev")).toEqual({ type: "join", room: "dev" });
    socket.receive(joined({ room: "dev", messages: [chat(1, bob, "in dev", "d1", "dev")] }));
    expect(t.chatSeqs()).toEqual([1]);
    t.client.openRoom("lobby");
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    // Both stay joined: going back joins nothing again.
    expect(socket.sentOf("join").map((frame) => frame.room)).toEqual(["lobby", "dev"]);
  });
});

describe("ChatClient: a resume checks that the server's store still continues the log", () => {
  /** A message of a store that was reset and refilled: same seq as ours, another id. */
  const other = (seq: number, from = carol): ChatFrame => ({ ...chat(seq, from, `new ${seq}`), id: `n${seq}` });
  const ids = (t: ReturnType<typeof setup>) => t.snap().items.flatMap((item) => (item.type === "chat" ? [item.message.id] : []));

  it("holds joined back until the server's message at since matches ours, then applies it as a resume", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    first.drop(1006);
    t.client.send("queued");
    const second = t.connectHeld(joined({ messages: chats(4, 5), latestSeq: 5 }));
    expect(second.joinOf()?.since).toBe(3);
    expect(second.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 4, limit: 1 }]);
    second.receive(chat(6));
    // Nothing of the new connection shows, and nothing is sent, until the check is answered.
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    expect(second.sentOf("chat")).toEqual([]);

    second.receive({ type: "history", room: "lobby", messages: [chat(3)], hasOlder: true });
    expect(t.chatSeqs()).toEqual([1, 2, 3, 4, 5, 6]);
    expect(second.sentOf("chat").map((frame) => frame.text)).toEqual(["queued"]);
    expect(second.sentOf("history")).toHaveLength(1);
  });

  it("a different message at since means the store was reset: the old log goes, the new one shows from scratch, the outbox stays", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    t.client.send("acked by the old store");
    const acked = first.sentOf("chat")[0]?.clientMsgId ?? "";
    first.receive({ type: "ack", room: "lobby", clientMsgId: acked, seq: 4, ts: 1 });
    first.drop(1006);
    t.client.send("never sent");

    // Others posted 1..5 on the new store while this tab was away.
    const second = t.connectHeld(joined({ messages: [other(4), other(5)], latestSeq: 5 }));
    second.receive(other(6));
    expect(ids(t)).toEqual(["m1", "m2", "m3"]);
    second.receive({ type: "history", room: "lobby", messages: [other(3)], hasOlder: true });

    // Never a mix: only the new store's messages, then its older page on top.
    expect(ids(t)).toEqual(["n4", "n5", "n6"]);
    expect(second.sentOf("history")[1]).toEqual({ type: "history", room: "lobby", before: 4, limit: 50 });
    second.receive({ type: "history", room: "lobby", messages: [other(1), other(2), other(3)], hasOlder: false });
    expect(ids(t)).toEqual(["n1", "n2", "n3", "n4", "n5", "n6"]);
    expect(t.snap().historyEdge).toBe("start");
    // What the old store acked may be lost with it, so it goes again, with what was never sent.
    expect(second.sentOf("chat").map((frame) => frame.text)).toEqual(["acked by the old store", "never sent"]);
    expect(second.sentOf("chat")[0]?.clientMsgId).toBe(acked);

    // The next resume starts from the new log.
    t.client.flushStorage();
    second.drop(1006);
    expect(t.connectHeld(joined({ latestSeq: 6 })).joinOf()?.since).toBe(6);
  });

  it("carries on as a normal resume when the server no longer has the message at since", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    first.drop(1006);
    const second = t.connectHeld(joined({ messages: chats(4, 4), latestSeq: 4 }));
    second.receive({ type: "history", room: "lobby", messages: [], hasOlder: false });
    expect(t.chatSeqs()).toEqual([1, 2, 3, 4]);
  });

  it("asks again if the check is rate limited, and forgets it if the link drops first", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3) }));
    first.drop(1006);
    const second = t.connectHeld(joined({ messages: [other(4)], latestSeq: 4 }));
    second.receive({ type: "error", code: "rate_limited", message: "slow down", room: "lobby", retryAfterMs: 500 });
    t.clock.advance(500);
    expect(second.sentOf("history")).toEqual([
      { type: "history", room: "lobby", before: 4, limit: 1 },
      { type: "history", room: "lobby", before: 4, limit: 1 },
    ]);
    second.drop(1006);
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    const third = t.connectHeld(joined({ messages: [other(4)], latestSeq: 4 }));
    expect(third.joinOf()?.since).toBe(3);
    third.receive({ type: "history", room: "lobby", messages: [other(3)], hasOlder: true });
    expect(ids(t)).toEqual(["n4"]);
  });

  it("needs no check when the server holds less than since (the reset shows in latestSeq)", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 8) }));
    first.drop(1006);
    const second = t.connectHeld(joined({ messages: [], latestSeq: 2 }));
    expect(t.chatSeqs()).toEqual([]);
    expect(second.sentOf("history")).toEqual([{ type: "history", room: "lobby", before: 3, limit: 50 }]);
  });
});

describe("ChatClient: typing", () => {
  it("sends typing at most every 2 s, clears it on send and after 5 s of quiet", () => {
    const t = setup();
    const socket = t.connect();
    const typingFrames = () => socket.sentOf("typing").map((frame) => frame.active);
    t.client.noteTyping();
    t.clock.advance(1_000);
    t.client.noteTyping();
    expect(typingFrames()).toEqual([true]);
    t.clock.advance(1_000);
    t.client.noteTyping();
    expect(typingFrames()).toEqual([true, true]);
    t.client.send("done");
    expect(typingFrames()).toEqual([true, true, false]);

    t.client.noteTyping();
    t.clock.advance(4_999);
    expect(typingFrames()).toEqual([true, true, false, true]);
    t.clock.advance(1);
    expect(typingFrames()).toEqual([true, true, false, true, false]);
  });

  it("typing again right after a send waits out the server's 1 s throttle (plus slack) instead of being dropped", () => {
    const t = setup();
    const socket = t.connect();
    const typingFrames = () => socket.sentOf("typing").map((frame) => frame.active);
    t.client.noteTyping();
    t.client.send("quick");
    t.clock.advance(300);
    t.client.noteTyping();
    t.client.noteTyping();
    expect(typingFrames()).toEqual([true, false]);
    // 1 s plus slack for the first frame having reached the server late.
    t.clock.advance(949);
    expect(typingFrames()).toEqual([true, false]);
    t.clock.advance(1);
    expect(typingFrames()).toEqual([true, false, true]);
    // A stop before the wait is over cancels the deferred start.
    t.client.send("again");
    t.client.noteTyping();
    t.client.stopTyping();
    t.clock.advance(2_000);
    expect(typingFrames()).toEqual([true, false, true, false]);
  });

  it("shows who else is typing until they stop, send, or 5 s pass", () => {
    const t = setup();
    const socket = t.connect();
    socket.receive({ type: "typing", room: "lobby", user: bob, active: true });
    socket.receive({ type: "typing", room: "lobby", user: carol, active: true });
    socket.receive({ type: "typing", room: "lobby", user: alice, active: true });
    expect(t.snap().typing.map((user) => user.name)).toEqual(["bob", "carol"]);
    socket.receive(chat(1, bob));
    expect(t.snap().typing.map((user) => user.name)).toEqual(["carol"]);
    t.clock.advance(5_000);
    expect(t.snap().typing).toEqual([]);
  });
});
