import type { User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { Roster } from "../../src/chat/room/roster";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat } from "./support/recording-seat";

const GRACE_MS = 5_000;

function roster(maxNameLength = 32) {
  const clock = new FakeClock();
  const changes: Array<{ id: string; before: string | null; after: string | null }> = [];
  const left: Array<{ user: User; knownElsewhere: boolean }> = [];
  const members = new Roster({
    limits: { presenceGraceMs: GRACE_MS, maxNameLength },
    timers: clock,
    onChange: (id, before, after) => changes.push({ id, before: before?.name ?? null, after: after?.name ?? null }),
    onLeft: (user, knownElsewhere) => left.push({ user, knownElsewhere }),
  });
  return { clock, members, changes, left };
}

describe("Roster", () => {
  it("seats a new member under a name unique after folding case, and returns it rather than changing an argument", () => {
    const { members, changes } = roster();
    const alice = new RecordingSeat("u1");
    expect(members.seat(alice, "Alice")).toEqual({ user: { id: "u1", name: "Alice" }, replaced: null, joined: true });
    const name = "alice";
    const other = members.seat(new RecordingSeat("u2"), name);
    expect(other.user).toEqual({ id: "u2", name: "alice (2)" });
    expect(name).toBe("alice");
    expect(members.seat(new RecordingSeat("u3"), "ALICE").user.name).toBe("ALICE (3)");
    expect(changes).toEqual([
      { id: "u1", before: null, after: "Alice" },
      { id: "u2", before: null, after: "alice (2)" },
      { id: "u3", before: null, after: "ALICE (3)" },
    ]);
    expect(members.memberCount).toBe(3);
    expect(members.memberList(2)).toEqual([
      { id: "u1", name: "Alice" },
      { id: "u2", name: "alice (2)" },
    ]);
  });

  it("cuts a long name so that its suffix still fits the length limit", () => {
    const { members } = roster(10);
    members.seat(new RecordingSeat("u1"), "abcdefghij");
    expect(members.uniqueName("abcdefghij", "u2")).toBe("abcdef (2)");
    expect(members.uniqueName("abcdefghij", "u1")).toBe("abcdefghij");
  });

  it("a member that takes a new seat replaces the old one silently, under the name it asks for", () => {
    const { members, changes } = roster();
    const first = new RecordingSeat("u1");
    members.seat(first, "alice");
    const second = new RecordingSeat("u1");
    expect(members.seat(second, "alicia")).toEqual({ user: { id: "u1", name: "alicia" }, replaced: first, joined: false });
    expect(members.isSeated(first)).toBe(false);
    expect(members.isSeated(second)).toBe(true);
    expect(changes).toEqual([
      { id: "u1", before: null, after: "alice" },
      { id: "u1", before: "alice", after: "alicia" },
    ]);
    expect(members.holderOf("ALICE")).toBeUndefined();
    expect(members.holderOf("Alicia")).toBe("u1");
  });

  it("a released member leaves exactly when its grace period ends, and frees its name", () => {
    const { clock, members, changes, left } = roster();
    const seat = new RecordingSeat("u1");
    members.seat(seat, "alice");
    members.unseat(seat);
    clock.advance(GRACE_MS - 1);
    expect(left).toEqual([]);
    expect(members.localCount).toBe(1);
    clock.advance(1);
    expect(left).toEqual([{ user: { id: "u1", name: "alice" }, knownElsewhere: false }]);
    expect(changes.at(-1)).toEqual({ id: "u1", before: "alice", after: null });
    expect(members.localCount).toBe(0);
    expect(members.holderOf("alice")).toBeUndefined();
  });

  it("a member back within its grace period never left", () => {
    const { clock, members, changes, left } = roster();
    const seat = new RecordingSeat("u1");
    members.seat(seat, "alice");
    members.unseat(seat);
    clock.advance(GRACE_MS / 2);
    members.seat(new RecordingSeat("u1"), "alice");
    clock.advance(GRACE_MS * 2);
    expect(left).toEqual([]);
    expect(changes).toEqual([{ id: "u1", before: null, after: "alice" }]);
    expect(clock.timerCount).toBe(0);
  });

  it("counts a user on this node and another once, and tells only visible changes", () => {
    const { members, changes, left, clock } = roster();
    members.seedRemote([{ id: "u2", name: "bob" }]);
    const seat = new RecordingSeat("u2");
    members.seat(seat, "bob");
    members.setRemote({ id: "u3", name: "carol" }, true);
    expect(members.memberCount).toBe(2);
    expect(changes).toEqual([{ id: "u3", before: null, after: "carol" }]);
    members.unseat(seat);
    clock.advance(GRACE_MS);
    expect(left).toEqual([{ user: { id: "u2", name: "bob" }, knownElsewhere: true }]);
    // Still on the other node: nobody left, as members see it.
    expect(changes.at(-1)).toEqual({ id: "u3", before: null, after: "carol" });
    members.renameRemote({ id: "u3", name: "caro" });
    expect(changes.at(-1)).toEqual({ id: "u3", before: "carol", after: "caro" });
  });

  it("leaveNow removes a member at once, without a grace timer, and only for the seat it holds", () => {
    const { clock, members, changes, left } = roster();
    const seat = new RecordingSeat("u1");
    members.seat(seat, "alice");
    members.leaveNow(new RecordingSeat("u1"));
    expect(members.isMember("u1")).toBe(true);
    members.leaveNow(seat);
    expect(members.isMember("u1")).toBe(false);
    expect(members.holderOf("alice")).toBeUndefined();
    expect(left).toEqual([{ user: { id: "u1", name: "alice" }, knownElsewhere: false }]);
    expect(changes.at(-1)).toEqual({ id: "u1", before: "alice", after: null });
    expect(clock.timerCount).toBe(0);
  });

  it("leaveNow of a member within its grace period does nothing (the seat it names is not the member's)", () => {
    const { clock, members, left } = roster();
    const seat = new RecordingSeat("u1");
    members.seat(seat, "alice");
    members.unseat(seat);
    members.leaveNow(seat);
    expect(left).toEqual([]);
    clock.advance(GRACE_MS);
    expect(left).toHaveLength(1);
  });
});
