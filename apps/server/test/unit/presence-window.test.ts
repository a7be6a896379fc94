import { describe, expect, it } from "vitest";
import { PresenceWindow } from "../../src/chat/room/presence-window";

const ann = { id: "a", name: "ann" };
const annie = { id: "a", name: "annie" };
const bob = { id: "b", name: "bob" };

describe("PresenceWindow", () => {
  it("tells joins, leaves and renames in the order they first happened", () => {
    const window = new PresenceWindow();
    window.record("b", null, bob);
    window.record("a", ann, annie);
    window.record("c", { id: "c", name: "cy" }, null);
    expect(window.diff()).toEqual({
      joined: [bob],
      left: [{ id: "c", name: "cy" }],
      renamed: [{ user: annie, previousName: "ann" }],
    });
  });

  it("tells net effects only", () => {
    const window = new PresenceWindow();
    window.record("a", null, ann); // joined, then renamed: a join under the new name
    window.record("a", ann, annie);
    window.record("b", null, bob); // joined, then left: nothing
    window.record("b", bob, null);
    window.record("c", { id: "c", name: "c1" }, { id: "c", name: "c2" }); // two renames: one
    window.record("c", { id: "c", name: "c2" }, { id: "c", name: "c3" });
    window.record("d", { id: "d", name: "d" }, null); // left and came back: nothing
    window.record("d", null, { id: "d", name: "d" });
    window.record("e", { id: "e", name: "e1" }, { id: "e", name: "e2" }); // renamed, then left: left as known
    window.record("e", { id: "e", name: "e2" }, null);
    expect(window.diff()).toEqual({
      joined: [annie],
      left: [{ id: "e", name: "e1" }],
      renamed: [{ user: { id: "c", name: "c3" }, previousName: "c1" }],
    });
  });

  it("from a mark, tells only what changed after it: what a member admitted there has not seen", () => {
    const window = new PresenceWindow();
    window.record("a", null, ann);
    const mark = window.mark;
    window.record("b", null, bob);
    window.record("a", ann, annie);
    expect(window.diff(mark)).toEqual({ joined: [bob], left: [], renamed: [{ user: annie, previousName: "ann" }] });
    expect(window.diff()).toEqual({ joined: [annie, bob], left: [], renamed: [] });
  });

  it("ignores non-changes and keeps its own copies of the users", () => {
    const window = new PresenceWindow();
    const user = { id: "a", name: "ann" };
    window.record("a", user, { ...user });
    window.record("x", null, null);
    expect(window.isEmpty).toBe(true);
    window.record("a", null, user);
    user.name = "mutated later";
    expect(window.diff().joined).toEqual([ann]);
    window.clear();
    expect(window.isEmpty).toBe(true);
    expect(window.mark).toBe(0);
  });
});
