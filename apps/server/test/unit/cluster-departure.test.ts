import { describe, expect, it } from "vitest";
import { MemoryMessageStore } from "../../src/backend/memory/message-store";
import { Room } from "../../src/chat/room/room";
import { testConfig } from "../../src/config";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat, settle } from "./support/recording-seat";
import { ScriptedPresence } from "./support/scripted-presence";

/**
 * A room on node A of a cluster whose store answers `leave` only when the test says, long after
 * the system flush window: what members see must not depend on how fast the store answers.
 */
function clusterRoom() {
  const clock = new FakeClock();
  const limits = testConfig().limits;
  const messages = new MemoryMessageStore({ nodeId: "a" });
  const presence = new ScriptedPresence();
  presence.stillPresentElsewhere = null;
  const warnings: string[] = [];
  const emptied: Room[] = [];
  const room = new Room({
    name: "r",
    latestSeq: 0,
    deps: { limits, timers: clock, logger: { info() {}, warn: (_context, message) => warnings.push(message ?? ""), error() {} } },
    fillGap: async (after, upTo) => (await messages.range("r", { after, upTo, limit: upTo - after })).messages,
    loadChats: async (upTo, limit) => (await messages.latestChats("r", upTo, limit)).messages,
    onEmpty: (empty) => emptied.push(empty),
    cluster: { presence, publishTyping() {} },
  });
  /** Lets answers already given take effect, then `ms` pass, and what the timers started run to the end. */
  const pass = async (ms: number) => {
    await settle();
    clock.advance(ms);
    await settle();
  };
  /** A user who joins through the cluster, as a connection does: claim the name, then take the seat. */
  const join = async (userId: string, name: string) => {
    const seat = new RecordingSeat(userId);
    room.admit(seat, await room.claimName(name, userId));
    return seat;
  };
  return { clock, limits, presence, room, warnings, emptied, pass, join };
}

/** The membership changes a seat was told, in order. */
function presenceChanges(seat: RecordingSeat) {
  return seat
    .ofType("system")
    .filter((frame) => frame.notice === undefined)
    .map(({ joined, left, renamed, memberCount }) => ({ joined, left, renamed, memberCount }));
}

describe("a departure on a cluster", () => {
  it("a user whose grace ran out here but who is still on another node never seems to leave, however late the store answers", async () => {
    const { limits, presence, room, emptied, pass, join } = clusterRoom();
    const watcher = await join("u0", "watcher");
    // frank is on node B too; this node was not told (a user's second node is not announced).
    const frank = await join("u1", "frank");
    await pass(limits.systemFlushMs);
    const told = presenceChanges(watcher).length;
    room.release(frank);
    await pass(limits.presenceGraceMs);
    expect(presence.pendingLeaves.map((leave) => leave.userId)).toEqual(["u1"]);
    // Until the store answers, frank stays as he was, name included.
    await pass(limits.systemFlushMs * 5);
    expect(presenceChanges(watcher).slice(told)).toEqual([]);
    expect(room.memberCount).toBe(2);
    expect(room.localMemberCount).toBe(2);
    expect(room.nameTakenByOther("frank", "u9")).toBe(true);
    presence.pendingLeaves[0]?.answer(true);
    await pass(limits.systemFlushMs * 5);
    expect(presenceChanges(watcher).slice(told)).toEqual([]);
    expect(room.memberCount).toBe(2);
    expect(room.localMemberCount).toBe(1);
    expect(room.memberList(10)).toEqual([
      { id: "u0", name: "watcher" },
      { id: "u1", name: "frank" },
    ]);
    expect(emptied).toEqual([]);
  });

  it("a user the store says is on no other node leaves with one `left`, once it has answered", async () => {
    const { limits, presence, room, pass, join } = clusterRoom();
    const watcher = await join("u0", "watcher");
    const frank = await join("u1", "frank");
    await pass(limits.systemFlushMs);
    const told = presenceChanges(watcher).length;
    room.release(frank);
    await pass(limits.presenceGraceMs + limits.systemFlushMs * 5);
    expect(presenceChanges(watcher).slice(told)).toEqual([]);
    presence.pendingLeaves[0]?.answer(false);
    await pass(limits.systemFlushMs);
    expect(presenceChanges(watcher).slice(told)).toEqual([
      { joined: [], left: [{ id: "u1", name: "frank" }], renamed: [], memberCount: 1 },
    ]);
    expect(room.nameTakenByOther("frank", "u9")).toBe(false);
  });

  it("the last member here leaving retires the room only once the store has answered", async () => {
    const { limits, presence, room, emptied, pass, join } = clusterRoom();
    const frank = await join("u1", "frank");
    room.release(frank);
    await pass(limits.presenceGraceMs);
    expect(emptied).toEqual([]);
    presence.pendingLeaves[0]?.answer(true);
    await settle();
    expect(emptied).toEqual([room]);
    expect(room.localMemberCount).toBe(0);
    expect(room.memberCount).toBe(1);
  });

  it("coming back while the store answers cancels the departure, and marks the user present here again", async () => {
    const { limits, presence, room, pass, join } = clusterRoom();
    const watcher = await join("u0", "watcher");
    const frank = await join("u1", "frank");
    await pass(limits.systemFlushMs);
    const told = presenceChanges(watcher).length;
    room.release(frank);
    await pass(limits.presenceGraceMs);
    const back = await join("u1", "frank");
    const joinsBefore = presence.joins.length;
    // The store says frank is on no other node: true, but he is back on this one.
    presence.pendingLeaves[0]?.answer(false);
    await pass(limits.systemFlushMs * 5);
    expect(presenceChanges(watcher).slice(told)).toEqual([]);
    expect(room.userOf(back)).toEqual({ id: "u1", name: "frank" });
    expect(room.localMemberCount).toBe(2);
    // The store dropped frank from this node with that answer: this node registers him again.
    expect(presence.joins.slice(joinsBefore)).toEqual([[{ name: "frank", folded: "frank" }]]);
    // A later departure is a new one, confirmed on its own.
    room.release(back);
    await pass(limits.presenceGraceMs);
    presence.pendingLeaves[1]?.answer(false);
    await pass(limits.systemFlushMs);
    expect(presenceChanges(watcher).slice(told)).toEqual([
      { joined: [], left: [{ id: "u1", name: "frank" }], renamed: [], memberCount: 1 },
    ]);
  });

  it("when the store cannot answer, this node's view decides, with a warning", async () => {
    const { limits, presence, room, warnings, pass, join } = clusterRoom();
    const watcher = await join("u0", "watcher");
    // Node B announced gina (her first node); this node knows she is there. frank's second node it does not know.
    room.applyRemote({ joined: [{ id: "u2", name: "gina" }], left: [], renamed: [] });
    const gina = await join("u2", "gina");
    const frank = await join("u1", "frank");
    await pass(limits.systemFlushMs);
    const told = presenceChanges(watcher).length;
    room.release(gina);
    room.release(frank);
    await pass(limits.presenceGraceMs);
    for (const leave of presence.pendingLeaves) leave.fail(new Error("redis down"));
    await pass(limits.systemFlushMs);
    expect(presenceChanges(watcher).slice(told)).toEqual([
      { joined: [], left: [{ id: "u1", name: "frank" }], renamed: [], memberCount: 2 },
    ]);
    expect(room.memberList(10).map((user) => user.name)).toEqual(["watcher", "gina"]);
    expect(warnings).toEqual(["could not record a departure in the cluster", "could not record a departure in the cluster"]);
  });
});
