import type { User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { ClusterPresence, NameCandidate } from "../../src/backend/cluster-presence";
import { ClusterSync } from "../../src/chat/room/cluster-sync";
import { Roster } from "../../src/chat/room/roster";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat, settle } from "./support/recording-seat";

const GRACE_MS = 5_000;

/** Cluster presence as a test script: names taken elsewhere, and what `leave` answers. */
class ScriptedPresence implements ClusterPresence {
  readonly takenElsewhere = new Set<string>();
  readonly joins: NameCandidate[][] = [];
  readonly leaves: string[] = [];
  stillPresentElsewhere = false;

  async join(_room: string, _userId: string, candidates: NameCandidate[]): Promise<string | undefined> {
    this.joins.push(candidates);
    return candidates.find((candidate) => !this.takenElsewhere.has(candidate.folded))?.name;
  }

  async leave(_room: string, userId: string): Promise<boolean> {
    this.leaves.push(userId);
    return this.stillPresentElsewhere;
  }

  async rename(_room: string, _userId: string, name: NameCandidate): Promise<boolean> {
    return !this.takenElsewhere.has(name.folded);
  }

  async members(): Promise<User[]> {
    return [];
  }

  async rooms(): Promise<Array<{ name: string; memberCount: number }>> {
    return [];
  }
}

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
    onLeft: (user, knownElsewhere) => sync?.left(user, knownElsewhere),
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

  it("a member that leaves this node but is still on another stays visible", async () => {
    const { clock, presence, roster, changes } = cluster();
    presence.stillPresentElsewhere = true;
    const seat = new RecordingSeat("u1");
    roster.seat(seat, "erin");
    roster.unseat(seat);
    clock.advance(GRACE_MS);
    await settle();
    expect(presence.leaves).toEqual(["u1"]);
    // This node believed erin gone; the store says she is still on another node.
    expect(changes).toEqual([
      { id: "u1", before: null, after: "erin" },
      { id: "u1", before: "erin", after: null },
      { id: "u1", before: null, after: "erin" },
    ]);
    expect(roster.memberCount).toBe(1);
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
