import { describe, expect, it } from "vitest";
import { OutboxFlush } from "../src/outbox/outbox-flush";
import { ClientStorage, memoryStore } from "../src/persistence/storage";
import { exponentialBackoff } from "../src/transport/backoff";
import { FakeClock, socketFactory, welcome } from "./support/fakes";

function setup(extra: Partial<ConstructorParameters<typeof OutboxFlush>[0]> = {}) {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const storage = new ClientStorage(memoryStore(), memoryStore());
  const entry = (clientMsgId: string) => ({ clientMsgId, text: `text ${clientMsgId}`, status: "pending" as const, createdAt: 1 });
  storage.saveRoom("lobby", { messages: [], clearedThroughSeq: 0, outbox: [entry("a"), entry("b")] });
  let changes = 0;
  const flush = new OutboxFlush({
    room: "lobby",
    url: "ws://test/ws?room=lobby&session=s",
    storage,
    createSocket: sockets.create,
    timers: clock,
    backoff: exponentialBackoff({ baseMs: 1_000, maxMs: 1_000, jitter: 0 }),
    deadlineMs: 30_000,
    retryAfterFallbackMs: 1_000,
    onChange: () => changes++,
    ...extra,
  });
  return { clock, sockets, storage, flush, changes: () => changes };
}

describe("OutboxFlush: the room's outbox rules, in the background", () => {
  it("comes back at once when the tab is woken (online), instead of sitting out its backoff", () => {
    let wake = () => {};
    const t = setup({
      backoff: exponentialBackoff({ baseMs: 20_000, maxMs: 20_000, jitter: 0 }),
      wakeups: {
        subscribe(callback) {
          wake = callback;
          return () => {
            wake = () => {};
          };
        },
      },
    });
    t.flush.start();
    const refused = t.sockets.last;
    refused.drop(1006);
    expect(t.sockets.last).toBe(refused);
    wake();
    const next = t.sockets.last;
    expect(next).not.toBe(refused);
    next.open();
    next.receive(welcome());
    expect(next.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual(["a", "b"]);
  });

  it("a rate-limited send due for retry when the link drops goes out once on the next welcome, not twice", () => {
    const t = setup();
    t.flush.start();
    const first = t.sockets.last;
    first.open();
    first.receive(welcome());
    first.receive({ type: "error", code: "rate_limited", message: "slow down", clientMsgId: "a", retryAfterMs: 5_000 });
    first.drop(1006);
    t.clock.advance(1_000);
    const second = t.sockets.last;
    expect(second).not.toBe(first);
    second.open();
    second.receive(welcome());
    t.clock.advance(10_000);
    expect(second.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual(["a", "b"]);
  });

  it("writes an ack (gone) and a refusal (failed, with its code) back to the room's storage, then ends", () => {
    const t = setup();
    t.flush.start();
    const socket = t.sockets.last;
    socket.open();
    socket.receive(welcome());
    socket.receive({ type: "ack", clientMsgId: "a", seq: 1, ts: 1 });
    expect(t.flush.unsent).toBe(1);
    socket.receive({ type: "error", code: "too_long", message: "too long", clientMsgId: "b" });
    expect(t.flush.finished).toBe(true);
    expect(socket.closedWith).toBe(1000);
    expect(t.storage.loadRoom("lobby").outbox).toEqual([
      { clientMsgId: "b", text: "text b", status: "failed", createdAt: 1, failure: "too long", failureCode: "too_long" },
    ]);
    expect(t.changes()).toBeGreaterThan(0);
  });
});
