import { describe, expect, it } from "vitest";
import { ResumingClient } from "../support/resuming-client";
import { useTestServer } from "../support/use-test-server";

const fixture = useTestServer();

describe("resuming several rooms on one connection", () => {
  it("after a drop, each room resumes from its own since; a joined that is not complete is filled with after pages", async () => {
    // A resume reads at most 3 messages in joined, so 10 missed messages need a fill.
    const server = await fixture.start({ WELCOME_SINCE_MAX: "3", RATE_BURST: "100" });
    const reader = new ResumingClient({ name: "reader", rooms: ["a", "b"] });
    await reader.connect(server.wsUrl);
    const writer = await fixture.open({ name: "writer" });
    await writer.join("a");
    await writer.join("b");
    writer.chat("a", "a first", "a0");
    await reader.until(() => reader.log("a").size === 1, "the first message of a");

    reader.connection?.terminate();
    await reader.until(() => !reader.connected, "the drop");
    reader.send("sent while away in a", "a");
    reader.send("sent while away in b", "b");
    for (let i = 1; i <= 10; i++) {
      writer.chat("a", `a ${i}`, `a${i}`);
      writer.chat("b", `b ${i}`, `b${i}`);
    }
    await writer.waitForCount("ack", 21);

    await reader.connect(server.wsUrl);
    await reader.until(
      () => reader.pending === 0 && reader.contiguousSeq("a") === 12 && reader.contiguousSeq("b") === 11,
      "both rooms filled and the outbox sent",
    );
    expect(reader.violations).toEqual([]);
    expect(reader.readies).toBe(2);
    expect(Object.fromEntries(reader.joinedCounts)).toEqual({ a: 2, b: 2 });
    // The resume was incomplete in both rooms, and history after pages filled it.
    const resumedJoins = reader.frames.filter((frame) => frame.type === "joined").slice(2);
    expect(resumedJoins.map((frame) => frame.type === "joined" && frame.complete)).toEqual([false, false]);
    expect(reader.frames.filter((frame) => frame.type === "history" && frame.hasNewer !== undefined).length).toBeGreaterThanOrEqual(2);
    // Each room's log is its own seq order, and the messages sent while away are there once.
    for (const room of ["a", "b"]) {
      const log = [...reader.log(room).values()].sort((x, y) => x.seq - y.seq);
      expect(log.map((message) => message.seq)).toEqual(log.map((_, index) => index + 1));
      expect(log.every((message) => message.room === room)).toBe(true);
      expect(log.filter((message) => message.from.id === reader.userId).map((message) => message.text)).toEqual([
        `sent while away in ${room}`,
      ]);
    }
    await reader.disconnect();
  });
});
