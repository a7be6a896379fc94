import { afterEach, describe, expect, it } from "vitest";
import { ServerClock } from "../support/fake-clock";
import { type StartedServer, startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { waitUntil } from "../support/wait-until";

let server: StartedServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe("budgets beyond chat", () => {
  it("renames spend the chat budget: a rename flood is answered with rate_limited", async () => {
    // The server's clock stands still, so the budget cannot refill mid-flood on a slow machine.
    server = await startServer({ RATE_BURST: "3", RATE_PER_SECOND: "1" }, { timers: new ServerClock() });
    const flooder = await TestClient.join(server.wsUrl, { name: "renamer" });
    for (let i = 0; i < 10; i++) flooder.send({ type: "rename", name: `renamer-${i}` });
    const limited = await flooder.waitFor((frame) => frame.type === "error" && frame.code === "rate_limited");
    expect(limited).toMatchObject({ type: "error", code: "rate_limited" });
    expect(limited.type === "error" && limited.retryAfterMs).toBeGreaterThan(0);
    await flooder.close();
  });

  it("history requests have their own budget: a flood is refused while chat keeps working", async () => {
    server = await startServer({}, { timers: new ServerClock() });
    const reader = await TestClient.join(server.wsUrl, { name: "reader" });
    for (let i = 0; i < 60; i++) reader.send({ type: "history", room: "lobby", before: 1, limit: 100 });
    const isAnswer = (frame: { type: string; code?: string }) =>
      frame.type === "history" || (frame.type === "error" && frame.code === "rate_limited");
    // Every request gets exactly one answer: a page or a refusal.
    await waitUntil(() => reader.frames.filter(isAnswer).length === 60, { what: "an answer to each request" });
    const answered = reader.ofType("history").length;
    expect(answered).toBeGreaterThanOrEqual(20);
    expect(answered).toBeLessThan(60);
    reader.chat("lobby", "still here", "after-history-flood");
    await reader.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "after-history-flood");
    await reader.close();
  });
});

describe("the read marker budget", () => {
  it("a flood of read markers is answered with rate_limited naming the room, while chat keeps working", async () => {
    // The server's clock stands still, so the read budget cannot refill mid-flood.
    server = await startServer({}, { timers: new ServerClock() });
    const reader = await TestClient.join(server.wsUrl, { name: "reader" });
    // A few past the budget: far more would be abuse, closed with 4029 like a chat flood.
    for (let i = 0; i < 25; i++) reader.send({ type: "read", room: "lobby", seq: i });
    const limited = await reader.waitFor((frame) => frame.type === "error" && frame.code === "rate_limited");
    expect(limited).toMatchObject({ type: "error", code: "rate_limited", room: "lobby" });
    expect(limited.type === "error" && limited.retryAfterMs).toBeGreaterThan(0);
    reader.chat("lobby", "still here", "after-read-flood");
    await reader.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "after-read-flood");
    // Only read markers were refused: the chat budget is a different one.
    expect(reader.ofType("error").every((error) => error.code === "rate_limited" && error.clientMsgId === undefined)).toBe(true);
    await reader.close();
  });
});
