import { describe, expect, it } from "vitest";
import { Broadcaster } from "../../src/chat/room/broadcaster";
import { RecordingSeat, settle } from "./support/recording-seat";

const frame = (n: number) => JSON.stringify({ type: "chat", n });

/** A broadcaster with two seats. */
function twoSeats(first: string, second: string): [Broadcaster, RecordingSeat, RecordingSeat] {
  const broadcaster = new Broadcaster();
  const seats = [new RecordingSeat(first), new RecordingSeat(second)] as const;
  for (const seat of seats) broadcaster.add(seat);
  return [broadcaster, ...seats];
}

describe("Broadcaster", () => {
  it("sends the frames of one tick to every seat as one shared batch, in order", async () => {
    const [broadcaster, alice, bob] = twoSeats("alice", "bob");
    broadcaster.broadcast(frame(1));
    broadcaster.broadcast(Buffer.from(frame(2)));
    expect(alice.received).toEqual([]);
    await settle();
    expect(alice.batches).toHaveLength(1);
    expect(bob.batches[0]).toBe(alice.batches[0]);
    expect(alice.received).toEqual([
      { type: "chat", n: 1 },
      { type: "chat", n: 2 },
    ]);
  });

  it("flushes before the seats change, so each frame reaches exactly who was here when it was sent", async () => {
    const broadcaster = new Broadcaster();
    const early = new RecordingSeat("early");
    const late = new RecordingSeat("late");
    broadcaster.add(early);
    broadcaster.broadcast(frame(1));
    broadcaster.add(late);
    broadcaster.broadcast(frame(2));
    broadcaster.remove(early);
    broadcaster.broadcast(frame(3));
    await settle();
    expect(early.received).toEqual([
      { type: "chat", n: 1 },
      { type: "chat", n: 2 },
    ]);
    expect(late.received).toEqual([
      { type: "chat", n: 2 },
      { type: "chat", n: 3 },
    ]);
    expect(broadcaster.recipients).toEqual([late]);
  });

  it("sends a direct frame after what is queued, skipping the seats asked", () => {
    const [broadcaster, typist, watcher] = twoSeats("typist", "watcher");
    broadcaster.broadcast(frame(1));
    broadcaster.sendNow(JSON.stringify({ type: "typing" }), (seat) => seat === typist);
    expect(watcher.received).toEqual([{ type: "chat", n: 1 }, { type: "typing" }]);
    expect(typist.received).toEqual([{ type: "chat", n: 1 }]);
  });

  it("sends each seat its own batch, or nothing", () => {
    const [broadcaster, a, b] = twoSeats("a", "b");
    broadcaster.sendEach((seat) => (seat === a ? { frames: [Buffer.from(frame(7))] } : null));
    expect(a.received).toEqual([{ type: "chat", n: 7 }]);
    expect(b.received).toEqual([]);
  });
});
