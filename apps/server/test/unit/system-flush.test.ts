import { describe, expect, it } from "vitest";
import { Broadcaster } from "../../src/chat/room/broadcaster";
import { SystemFlush } from "../../src/chat/room/system-flush";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat } from "./support/recording-seat";

const FLUSH_MS = 200;

function window(memberCount = 3) {
  const clock = new FakeClock();
  const broadcaster = new Broadcaster();
  const system = new SystemFlush({
    room: "r",
    limits: { systemFlushMs: FLUSH_MS, welcomeMembersMax: 100, largeRoomSystemEntries: 10 },
    timers: clock,
    broadcaster,
    memberCount: () => memberCount,
  });
  const watcher = new RecordingSeat("watcher");
  broadcaster.add(watcher);
  return { clock, broadcaster, system, watcher };
}

const user = (id: string, name = id) => ({ id, name });

describe("SystemFlush", () => {
  it("tells the first change at once, then coalesces the rest of the window into one frame", () => {
    const { clock, system, watcher } = window();
    system.record("a", null, user("a"));
    clock.advance(0);
    expect(watcher.ofType("system")).toMatchObject([{ joined: [user("a")], left: [], renamed: [], memberCount: 3, ts: clock.now() }]);
    system.record("b", null, user("b"));
    system.record("c", null, user("c"));
    system.record("c", user("c"), null);
    clock.advance(FLUSH_MS - 1);
    expect(watcher.ofType("system")).toHaveLength(1);
    clock.advance(1);
    expect(watcher.ofType("system")).toHaveLength(2);
    expect(watcher.ofType("system")[1]).toMatchObject({ joined: [user("b")], left: [], renamed: [] });
  });

  it("tells a seat admitted mid-window only what changed after its welcome", () => {
    const { clock, broadcaster, system, watcher } = window();
    system.record("a", null, user("a"));
    const newcomer = new RecordingSeat("b");
    system.admitted(newcomer, system.mark);
    broadcaster.add(newcomer);
    system.record("a", user("a"), user("a", "alice"));
    clock.advance(0);
    expect(watcher.ofType("system")).toMatchObject([{ joined: [user("a", "alice")], renamed: [] }]);
    expect(newcomer.ofType("system")).toMatchObject([{ joined: [], renamed: [{ user: user("a", "alice"), previousName: "a" }] }]);
  });

  it("names only the first few users of a burst in a room bigger than the welcome's member list", () => {
    const { clock, system, watcher } = window(1_000);
    for (let i = 0; i < 30; i++) system.record(`u${i}`, null, user(`u${i}`));
    clock.advance(0);
    const [frame] = watcher.ofType("system");
    expect(frame?.joined).toHaveLength(10);
    expect(frame?.memberCount).toBe(1_000);
  });

  it("announces a notice at once, outside the window", () => {
    const { system, watcher, clock } = window();
    system.announce("restarting");
    expect(watcher.ofType("system")).toMatchObject([{ notice: "restarting", joined: [], left: [], renamed: [] }]);
    system.dispose();
    expect(clock.timerCount).toBe(0);
  });
});
