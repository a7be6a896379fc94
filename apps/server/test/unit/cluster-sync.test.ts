import { describe, expect, it } from "vitest";
import { ClusterSync } from "../../src/chat/room/cluster-sync";
import { Roster } from "../../src/chat/room/roster";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat, settle } from "./support/recording-seat";
import { ScriptedPresence } from "./support/scripted-presence";

const GRACE_MS = 5_000;

function cluster() {
  const clock = new FakeClock();
  const presence = new ScriptedPresence();
  const changes: Array<{ id: string; before: string | null; after: string | null }> = [];
  const limits = { presenceGraceMs: GRACE_MS, maxNameLength: 32, nameClaimBatch: 3, maxNameSuffix: 100 };
  let sync: ClusterSync | undefined;
  const roster = new Roster({
    limits,
    timers: clock,
    onChange: (id, before, after) => changes.push({ id, before: before?.name ?? null, after: after?.name ?? null }),
    onLeft() {},
    confirmDeparture: (user) => sync?.confirmDeparture(user) ?? Promise.resolve(false),
  });
  sync = new ClusterSync({ room: "r", presence, roster, limits, timers: clock, logger: { info() {}, warn() {}, error() {} } });
  return { clock, presence, roster, sync, changes };
}

describe("ClusterSync", () => {
  it("claims the first name free cluster-wide, case-folded, asking in batches", async () => {
    const { presence, sync } = cluster();
    for (const taken of ["carol", "carol (2)", "carol (3)", "carol (4)"]) presence.takenElsewhere.add(taken);
    expect(await sync.claimName("Carol", "u1")).toBe("Carol (5)");
    expect(presence.joins.map((batch) => batch.map((candidate) => candidate.name))).toEqual([
      ["Carol", "Carol (2)", "Carol (3)", "Carol (4)"],
      ["Carol (5)", "Carol (6)", "Carol (7)"],
    ]);
    expect(presence.joins[0]?.[1]).toEqual({ name: "Carol (2)", folded: "carol (2)" });
  });

  it("releases a claim whose joiner is never admitted, exactly when the grace period ends", async () => {
    const { clock, presence, sync } = cluster();
    await sync.claimName("dave", "u1");
    clock.advance(GRACE_MS - 1);
    expect(presence.leaves).toEqual([]);
    clock.advance(1);
    expect(presence.leaves).toEqual(["u1"]);
  });

  it("keeps the claim of a joiner that was admitted", async () => {
    const { clock, presence, sync } = cluster();
    await sync.claimName("dave", "u1");
    sync.admitted("u1");
    clock.advance(GRACE_MS * 2);
    expect(presence.leaves).toEqual([]);
    expect(clock.timerCount).toBe(0);
  });

  it("a member that leaves this node but is still on another stays visible, without ever seeming to leave", async () => {
    const { clock, presence, roster, changes } = cluster();
    presence.stillPresentElsewhere = true;
    const seat = new RecordingSeat("u1");
    roster.seat(seat, "erin");
    roster.unseat(seat);
    clock.advance(GRACE_MS);
    await settle();
    expect(presence.leaves).toEqual(["u1"]);
    // This node did not know erin was on another node; the store says she is, so nobody left.
    expect(changes).toEqual([{ id: "u1", before: null, after: "erin" }]);
    expect(roster.isMember("u1")).toBe(false);
    expect(roster.isRemote("u1")).toBe(true);
    expect(roster.memberCount).toBe(1);
  });

  it("a claim made while a departure is being confirmed expires like a newcomer's when nobody is admitted under it", async () => {
    const { clock, presence, roster, sync } = cluster();
    presence.stillPresentElsewhere = null;
    const seat = new RecordingSeat("u1");
    roster.seat(seat, "erin");
    roster.unseat(seat);
    clock.advance(GRACE_MS);
    expect(roster.isDeparting("u1")).toBe(true);
    // The reconnecting joiner claims its name while the store has not answered yet, then goes away.
    await sync.claimName("erin", "u1");
    clock.advance(GRACE_MS);
    expect(presence.leaves).toEqual(["u1", "u1"]);
  });

  it("applies other nodes' joins, leaves and renames to the roster", () => {
    const { roster, sync, changes } = cluster();
    sync.apply({ joined: [{ id: "u2", name: "frank" }], left: [], renamed: [] });
    sync.apply({
      joined: [{ id: "u2", name: "frank" }],
      left: [],
      renamed: [{ user: { id: "u2", name: "frankie" }, previousName: "frank" }],
    });
    sync.apply({
      joined: [],
      left: [
        { id: "u2", name: "frankie" },
        { id: "u9", name: "nobody" },
      ],
      renamed: [],
    });
    expect(changes).toEqual([
      { id: "u2", before: null, after: "frank" },
      { id: "u2", before: "frank", after: "frankie" },
      { id: "u2", before: "frankie", after: null },
    ]);
    expect(roster.memberCount).toBe(0);
  });
});
