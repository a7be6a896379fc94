import type { ChatFrame } from "@chatroom/protocol";
import { ERROR_CODE_LIST, type ErrorCode } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { answerToError, fromStored, isUnsent, Outbox, type OutboxChange, type OutboxEntry } from "../src/outbox/outbox";
import type { OutboxFrame } from "../src/outbox/outbox-entry";
import { pendingOverlay, withPending } from "../src/outbox/pending-overlay";
import { chat, FakeClock } from "./support/fakes";

function setup(options: { ackTimeoutMs?: number | null; open?: boolean } = {}) {
  const clock = new FakeClock();
  const sent: OutboxFrame[] = [];
  const link = { open: options.open ?? true };
  let unanswered = 0;
  const outbox = new Outbox({
    timers: clock,
    send: (frame) => {
      if (!link.open) return false;
      sent.push(frame);
      return true;
    },
    ackTimeoutMs: options.ackTimeoutMs === undefined ? 15_000 : options.ackTimeoutMs,
    retryAfterFallbackMs: 1_000,
    onUnanswered: () => unanswered++,
  });
  const kinds = () => outbox.entries.map((message) => message.state.kind);
  return { clock, sent, link, outbox, kinds, unansweredCalls: () => unanswered };
}

const chatOf = (text: string) => ({ kind: "chat" as const, text });

const ack = (clientMsgId: string, seq: number) => ({ type: "ack" as const, room: "lobby", clientMsgId, seq, ts: 1_700_000_000_000 });

const error = (clientMsgId: string, code: ErrorCode, retryAfterMs?: number) => ({
  type: "error" as const,
  code,
  message: `refused: ${code}`,
  room: "lobby",
  clientMsgId,
  ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
});

describe("Outbox: states and transitions", () => {
  it("a message added while the link can take it goes out at once and is in flight since then", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("hello"));
    expect(t.sent).toEqual([{ type: "chat", text: "hello", clientMsgId: message.clientMsgId }]);
    expect(t.outbox.entries[0]?.state).toEqual({ kind: "in-flight", sentAt: t.clock.now() });
    expect(t.outbox.view()).toEqual([
      { clientMsgId: message.clientMsgId, kind: "chat", text: "hello", status: "pending", createdAt: t.clock.now() },
    ]);
  });

  it("a message added while no link can take it stays queued until transmitQueued, then goes out once", () => {
    const t = setup({ open: false });
    const message = t.outbox.add(chatOf("offline"));
    expect(t.kinds()).toEqual(["queued"]);
    expect(t.sent).toEqual([]);
    t.link.open = true;
    t.outbox.transmitQueued();
    t.outbox.transmitQueued();
    expect(t.sent.map((frame) => frame.clientMsgId)).toEqual([message.clientMsgId]);
    expect(t.kinds()).toEqual(["in-flight"]);
  });

  it("an ack leaves the entry acked with its seq, or removes it when its echo is already held", () => {
    const t = setup();
    const first = t.outbox.add(chatOf("one"));
    const second = t.outbox.add(chatOf("two"));
    expect(t.outbox.acked(ack(first.clientMsgId, 7), false)).toBe(true);
    expect(t.outbox.acked(ack(second.clientMsgId, 8), true)).toBe(true);
    expect(t.outbox.entries.map((message) => message.state)).toEqual([{ kind: "acked", seq: 7 }]);
    expect(t.outbox.view()[0]).toMatchObject({ status: "sent", seq: 7 });
    expect(t.outbox.acked(ack("unknown", 9), false)).toBe(false);
  });

  it("acked entries the log is past settle; newer ones wait for it", () => {
    const t = setup();
    const old = t.outbox.add(chatOf("old"));
    const recent = t.outbox.add(chatOf("recent"));
    t.outbox.acked(ack(old.clientMsgId, 3), false);
    t.outbox.acked(ack(recent.clientMsgId, 5), false);
    t.outbox.settle((seq) => seq <= 4);
    expect(t.outbox.entries.map((message) => message.clientMsgId)).toEqual([recent.clientMsgId]);
  });

  it("a lost link queues what was in flight or unanswered, and leaves acked and refused entries alone", () => {
    const t = setup();
    const inFlight = t.outbox.add(chatOf("in flight"));
    const acked = t.outbox.add(chatOf("acked"));
    const refused = t.outbox.add(chatOf("refused"));
    t.outbox.acked(ack(acked.clientMsgId, 1), false);
    t.outbox.answered(error(refused.clientMsgId, "bad_frame"));
    t.clock.advance(15_000);
    expect(t.kinds()).toEqual(["unanswered", "acked", "refused"]);
    const unanswered = t.outbox.add(chatOf("sent after the timeout"));
    t.outbox.linkLost();
    expect(t.kinds()).toEqual(["queued", "acked", "refused", "queued"]);
    expect(t.outbox.unsentCount).toBe(2);
    expect(t.outbox.entries.filter(isUnsent).map((message) => message.clientMsgId)).toEqual([inFlight.clientMsgId, unanswered.clientMsgId]);
  });

  it("a store reset queues acked entries again: the store that acked them may have lost them", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("acked"));
    t.outbox.acked(ack(message.clientMsgId, 4), false);
    t.outbox.storeReset();
    expect(t.kinds()).toEqual(["queued"]);
  });

  it("the user's retry queues a refused or unanswered entry and sends it with the same id; others are left alone", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("refused"));
    t.outbox.answered(error(message.clientMsgId, "bad_frame"));
    expect(t.outbox.retry(message.clientMsgId)).toBe(true);
    expect(t.sent.map((frame) => frame.clientMsgId)).toEqual([message.clientMsgId, message.clientMsgId]);
    expect(t.kinds()).toEqual(["in-flight"]);
    expect(t.outbox.retry(message.clientMsgId)).toBe(false);
  });

  it("the shown view is cached: it is the same array until an entry changes", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("one"));
    const view = t.outbox.view();
    expect(t.outbox.view()).toBe(view);
    t.outbox.acked(ack(message.clientMsgId, 1), false);
    expect(t.outbox.view()).not.toBe(view);
  });
});

describe("Outbox: the ack timeout", () => {
  it("an in-flight send with no ack turns unanswered exactly at the timeout, and the link is told once", () => {
    const t = setup();
    t.outbox.add(chatOf("one"));
    t.clock.advance(5_000);
    t.outbox.add(chatOf("two"));
    t.clock.advance(9_999);
    expect(t.kinds()).toEqual(["in-flight", "in-flight"]);
    t.clock.advance(1);
    expect(t.kinds()).toEqual(["unanswered", "in-flight"]);
    expect(t.unansweredCalls()).toBe(1);
    expect(t.outbox.view()[0]).toMatchObject({ status: "failed", unanswered: true, failure: "No answer from the server." });
    t.clock.advance(5_000);
    expect(t.kinds()).toEqual(["unanswered", "unanswered"]);
    expect(t.unansweredCalls()).toBe(2);
  });

  it("a resend after a rate limit keeps the first sentAt, so a message the server keeps turning away still times out", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("busy"));
    const sentAt = t.clock.now();
    for (let i = 0; i < 7; i++) {
      t.outbox.answered(error(message.clientMsgId, "rate_limited", 2_000));
      t.clock.advance(2_000);
    }
    expect(t.outbox.entries[0]?.state).toEqual({ kind: "in-flight", sentAt });
    t.clock.advance(1_000);
    expect(t.kinds()).toEqual(["unanswered"]);
    // Unanswered: the pending retry is cancelled with it.
    const before = t.sent.length;
    t.clock.advance(10_000);
    expect(t.sent.length).toBe(before);
  });

  it("with no ack timeout (the background flush) an in-flight send waits as long as it takes", () => {
    const t = setup({ ackTimeoutMs: null });
    t.outbox.add(chatOf("patient"));
    t.clock.advance(600_000);
    expect(t.kinds()).toEqual(["in-flight"]);
    expect(t.clock.timerCount).toBe(0);
  });

  it("a lost link cancels the ack timer; the resend on the next link starts a new one", () => {
    const t = setup();
    t.outbox.add(chatOf("one"));
    t.clock.advance(10_000);
    t.outbox.linkLost();
    expect(t.clock.timerCount).toBe(0);
    t.outbox.transmitQueued();
    t.clock.advance(14_999);
    expect(t.kinds()).toEqual(["in-flight"]);
    t.clock.advance(1);
    expect(t.kinds()).toEqual(["unanswered"]);
  });
});

describe("Outbox: the retry and refusal policy", () => {
  it("rate_limited, server_error and slow_mode are retried; every other code is a refusal", () => {
    expect(answerToError("rate_limited")).toBe("retry");
    expect(answerToError("server_error")).toBe("retry");
    expect(answerToError("slow_mode")).toBe("retry");
    const refusals = ERROR_CODE_LIST.filter((code) => code !== "rate_limited" && code !== "server_error" && code !== "slow_mode");
    expect(refusals.length).toBeGreaterThan(0);
    for (const code of refusals) expect(answerToError(code)).toBe("refuse");
  });

  it("a retried send goes out again with the same id after retryAfterMs (or the fallback), once per error", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("retry me"));
    expect(t.outbox.answered(error(message.clientMsgId, "server_error"))).toBe("retrying");
    // A second answer while a retry is already due does not schedule another one.
    expect(t.outbox.answered(error(message.clientMsgId, "rate_limited", 500))).toBe("retrying");
    t.clock.advance(999);
    expect(t.sent).toHaveLength(1);
    t.clock.advance(1);
    expect(t.sent.map((frame) => frame.clientMsgId)).toEqual([message.clientMsgId, message.clientMsgId]);
    t.clock.advance(10_000);
    expect(t.sent).toHaveLength(2);
  });

  it("a refusal keeps the entry as failed with the server's message and code, and later errors for it are ignored", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("too much"));
    expect(t.outbox.answered(error(message.clientMsgId, "too_long"))).toBe("refused");
    expect(t.outbox.view()[0]).toMatchObject({ status: "failed", failure: "refused: too_long", failureCode: "too_long" });
    expect(t.outbox.answered(error(message.clientMsgId, "rate_limited"))).toBe("ignored");
    expect(t.outbox.answered(error("someone-else", "too_long"))).toBe("not-ours");
  });

  it("an ack cancels a retry that was due", () => {
    const t = setup();
    const message = t.outbox.add(chatOf("stored after all"));
    t.outbox.answered(error(message.clientMsgId, "server_error", 1_000));
    t.outbox.acked(ack(message.clientMsgId, 1), false);
    t.clock.advance(5_000);
    expect(t.sent).toHaveLength(1);
  });
});

describe("Outbox: stored entries", () => {
  it("round-trips through the stored form; what was in flight or unanswered comes back queued", () => {
    const t = setup();
    const inFlight = t.outbox.add(chatOf("in flight"));
    const acked = t.outbox.add(chatOf("acked"));
    const refused = t.outbox.add(chatOf("refused"));
    t.outbox.acked(ack(acked.clientMsgId, 9), false);
    t.outbox.answered(error(refused.clientMsgId, "too_long"));
    const unanswered = t.outbox.add(chatOf("unanswered"));
    t.clock.advance(15_000);
    const stored: OutboxEntry[] = JSON.parse(JSON.stringify(t.outbox.view()));
    const restored = fromStored(stored);
    expect(restored.map((message) => [message.clientMsgId, message.state])).toEqual([
      [inFlight.clientMsgId, { kind: "queued" }],
      [acked.clientMsgId, { kind: "acked", seq: 9 }],
      [refused.clientMsgId, { kind: "refused", failure: "refused: too_long", failureCode: "too_long" }],
      [unanswered.clientMsgId, { kind: "queued" }],
    ]);
  });

  it("skips what this client never writes instead of failing to start, and drops a sent entry without its seq", () => {
    const good = { clientMsgId: "c1", text: "hello", status: "pending", createdAt: 1 };
    const restored = fromStored([
      null,
      42,
      { clientMsgId: 7, text: "no id", status: "pending", createdAt: 1 },
      { clientMsgId: "c2", text: "odd status", status: "delivered", createdAt: 1 },
      { clientMsgId: "c3", text: "sent, no seq", status: "sent", createdAt: 1 },
      good,
    ]);
    expect(restored).toEqual([{ kind: "chat", clientMsgId: "c1", text: "hello", createdAt: 1, state: { kind: "queued" } }]);
  });
});

describe("Outbox: edits, deletes and reactions", () => {
  const changes = [
    { kind: "chat" as const, text: "agreed", replyTo: 43 },
    { kind: "edit" as const, target: 43, text: "fixed typo" },
    { kind: "delete" as const, target: 43 },
    { kind: "react" as const, target: 41, emoji: "👍", on: true },
  ];

  it("each kind goes out as its own frame, and again with the same id after a lost link", () => {
    const t = setup();
    const entries = changes.map((change) => t.outbox.add(change));
    const ids = entries.map((entry) => entry.clientMsgId);
    expect(t.sent).toEqual([
      { type: "chat", text: "agreed", replyTo: 43, clientMsgId: ids[0] },
      { type: "edit", target: 43, text: "fixed typo", clientMsgId: ids[1] },
      { type: "delete", target: 43, clientMsgId: ids[2] },
      { type: "react", target: 41, emoji: "👍", on: true, clientMsgId: ids[3] },
    ]);
    t.outbox.linkLost();
    expect(t.kinds()).toEqual(["queued", "queued", "queued", "queued"]);
    t.outbox.transmitQueued();
    expect(t.sent.slice(4)).toEqual(t.sent.slice(0, 4));
  });

  it("an acked change stays sent until the log covers its seq, then settles", () => {
    const t = setup();
    const editing = t.outbox.add(changes[1] as OutboxChange);
    const reacting = t.outbox.add(changes[3] as OutboxChange);
    t.outbox.acked(ack(editing.clientMsgId, 57), false);
    // A reaction that changed nothing is acked with the seq the room had reached.
    t.outbox.acked(ack(reacting.clientMsgId, 57), false);
    expect(t.outbox.view().map((entry) => [entry.kind, entry.status, entry.seq])).toEqual([
      ["edit", "sent", 57],
      ["react", "sent", 57],
    ]);
    expect(t.outbox.settle((seq) => seq <= 56)).toBe(false);
    expect(t.outbox.settle((seq) => seq <= 57)).toBe(true);
    expect(t.outbox.entries).toEqual([]);
  });

  it("not_found, forbidden and gone are refusals the user sees, with their code", () => {
    for (const code of ["not_found", "forbidden", "gone"] as const) {
      const t = setup();
      const entry = t.outbox.add(changes[1] as OutboxChange);
      expect(t.outbox.answered(error(entry.clientMsgId, code))).toBe("refused");
      expect(t.outbox.view()).toMatchObject([{ kind: "edit", target: 43, status: "failed", failureCode: code }]);
    }
  });

  it("every kind round-trips through the stored form; an entry stored before kinds existed is a chat", () => {
    const t = setup();
    for (const change of changes) t.outbox.add(change);
    const stored: OutboxEntry[] = JSON.parse(JSON.stringify(t.outbox.view()));
    expect(stored.map((entry) => [entry.kind, entry.text, entry.target, entry.emoji, entry.on, entry.replyTo])).toEqual([
      ["chat", "agreed", undefined, undefined, undefined, 43],
      ["edit", "fixed typo", 43, undefined, undefined, undefined],
      ["delete", "", 43, undefined, undefined, undefined],
      ["react", "", 41, "👍", true, undefined],
    ]);
    const restored = fromStored(stored);
    expect(restored.map(({ clientMsgId: _id, createdAt: _at, state: _state, ...change }) => change)).toEqual(changes);
    expect(fromStored([{ clientMsgId: "old", text: "from p2", status: "pending", createdAt: 1 }])).toEqual([
      { kind: "chat", clientMsgId: "old", text: "from p2", createdAt: 1, state: { kind: "queued" } },
    ]);
    // A change missing what it needs is skipped rather than sent.
    expect(fromStored([{ clientMsgId: "x", kind: "edit", text: "no target", status: "pending", createdAt: 1 }])).toEqual([]);
    expect(fromStored([{ clientMsgId: "y", kind: "poll", text: "", status: "pending", createdAt: 1 }])).toEqual([]);
  });
});

describe("pendingOverlay", () => {
  const entry = (overrides: Partial<OutboxEntry>): OutboxEntry => ({
    clientMsgId: `id-${Math.random()}`,
    kind: "chat",
    text: "",
    status: "pending",
    createdAt: 1,
    ...overrides,
  });

  it("per target, the newest pending edit's text, a pending delete, and the newest toggle per emoji", () => {
    const overlay = pendingOverlay([
      entry({ kind: "chat", text: "a chat is no change" }),
      entry({ kind: "edit", target: 5, text: "first" }),
      entry({ kind: "react", target: 5, emoji: "👍", on: true }),
      entry({ kind: "edit", target: 5, text: "second", status: "sent", seq: 9 }),
      entry({ kind: "react", target: 5, emoji: "🎉", on: true }),
      entry({ kind: "react", target: 5, emoji: "👍", on: false }),
      entry({ kind: "delete", target: 7, status: "failed", failure: "No answer from the server.", unanswered: true }),
      entry({ kind: "edit", target: 8, text: "refused", status: "failed", failureCode: "forbidden" }),
    ]);
    expect([...overlay.keys()]).toEqual([5, 7]);
    expect(overlay.get(5)).toEqual({
      text: "second",
      deleted: false,
      reactions: [
        { emoji: "👍", on: false },
        { emoji: "🎉", on: true },
      ],
    });
    expect(overlay.get(7)).toEqual({ deleted: true, reactions: [] });
  });

  it("withPending shows the pending text and toggles our own reactions, changing nothing a toggle would not", () => {
    const held: ChatFrame = { ...chat(5), reactions: [{ emoji: "👍", count: 2, users: ["u-alice", "u-bob"] }] };
    const shown = withPending(
      held,
      {
        text: "soon",
        deleted: false,
        reactions: [
          { emoji: "👍", on: false },
          { emoji: "🎉", on: true },
          { emoji: "😂", on: false },
        ],
      },
      "u-alice",
    );
    expect(shown).toMatchObject({
      text: "soon",
      reactions: [
        { emoji: "👍", count: 1, users: ["u-bob"] },
        { emoji: "🎉", count: 1, users: ["u-alice"] },
      ],
    });
    expect(withPending(held, undefined, "u-alice")).toBe(held);
  });
});
