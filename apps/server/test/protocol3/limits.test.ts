import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { acked, answerTo } from "../support/change-frames";
import { ServerClock } from "../support/fake-clock";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

describe("limits of changes", () => {
  it("EDIT_WINDOW_MS is ready.limits.editWindowMs; an edit after it is forbidden, a delete is not", async () => {
    const clock = new ServerClock();
    // The store stamps and checks with the same clock the test moves.
    const backend = new MemoryBackend({ nodeId: "window", now: () => clock.now() });
    await fixture.start({ EDIT_WINDOW_MS: "60000" }, { timers: clock, backend });
    const alice = await fixture.join({ name: "alice" });
    expect(alice.ready.limits).toMatchObject({ editWindowMs: 60_000 });
    await acked(alice, { type: "chat", room: "lobby", text: "typo", clientMsgId: "a-1" });
    await clock.advance(60_000);
    await acked(alice, { type: "edit", room: "lobby", target: 1, text: "just in time", clientMsgId: "e-1" });
    await clock.advance(1);
    expect(await answerTo(alice, { type: "edit", room: "lobby", target: 1, text: "too late", clientMsgId: "e-2" })).toMatchObject({
      type: "error",
      code: "forbidden",
      room: "lobby",
      clientMsgId: "e-2",
    });
    expect(await acked(alice, { type: "delete", room: "lobby", target: 1, clientMsgId: "d-1" })).toBe(3);
  });

  it("without EDIT_WINDOW_MS, ready.limits has no editWindowMs and edits have no window", async () => {
    await fixture.start();
    const alice = await fixture.join({ name: "alice" });
    expect(alice.ready.limits).not.toHaveProperty("editWindowMs");
  });

  it("edits, deletes and reactions spend the chat budget", async () => {
    const clock = new ServerClock();
    await fixture.start({ RATE_BURST: "4", RATE_PER_SECOND: "1" }, { timers: clock });
    const alice = await fixture.join({ name: "alice" });
    await acked(alice, { type: "chat", room: "lobby", text: "one", clientMsgId: "a-1" });
    await acked(alice, { type: "edit", room: "lobby", target: 1, text: "one!", clientMsgId: "e-1" });
    await acked(alice, { type: "react", room: "lobby", target: 1, emoji: "👍", on: true, clientMsgId: "r-1" });
    // A reaction that changes nothing still costs a frame's worth.
    await acked(alice, { type: "react", room: "lobby", target: 1, emoji: "👍", on: true, clientMsgId: "r-2" });
    expect(await answerTo(alice, { type: "delete", room: "lobby", target: 1, clientMsgId: "d-1" })).toEqual({
      type: "error",
      code: "rate_limited",
      message: expect.any(String),
      room: "lobby",
      clientMsgId: "d-1",
      retryAfterMs: 1_000,
    });
    await clock.advance(1_000);
    expect(await acked(alice, { type: "delete", room: "lobby", target: 1, clientMsgId: "d-1" })).toBe(4);
  });
});
