import type { JoinedFrame, ServerFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ServerClock } from "../support/fake-clock";
import type { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";
import { waitUntil } from "../support/wait-until";

const fixture = useTestServer();

/**
 * A member list as a client keeps it: the joined frame's members, then every `system` frame of that room applied as
 * a diff. Each frame must make sense against what this client already knows: a join of someone
 * it does not list, a leave or a rename of someone it does, under the name it knows. The one join
 * of someone listed that is expected is one's own: everyone, the joiner too, is told of a join.
 */
class MemberView {
  readonly members = new Map<string, string>();
  readonly violations: string[] = [];
  readonly renames: Array<{ id: string; from: string; to: string }> = [];

  constructor(client: TestClient & { joined: JoinedFrame }) {
    const { room } = client.joined;
    for (const user of client.joined.members) this.members.set(user.id, user.name);
    const self = client.joined.you.id;
    let selfJoinTold = false;
    const apply = (frame: ServerFrame) => {
      if (frame.type !== "system" || frame.room !== room) return;
      for (const user of frame.joined) {
        if (user.id === self && !selfJoinTold) selfJoinTold = true;
        else if (this.members.has(user.id)) this.violations.push(`joined ${user.name}, already listed as ${this.members.get(user.id)}`);
        this.members.set(user.id, user.name);
      }
      for (const { user, previousName } of frame.renamed) {
        const known = this.members.get(user.id);
        if (known !== previousName) this.violations.push(`renamed ${previousName} -> ${user.name}, but listed as ${known}`);
        this.renames.push({ id: user.id, from: previousName, to: user.name });
        this.members.set(user.id, user.name);
      }
      for (const user of frame.left) {
        if (!this.members.delete(user.id)) this.violations.push(`left ${user.name}, who was not listed`);
      }
    };
    // Frames that came right after the joined are applied first, then the rest as they arrive.
    for (const frame of client.frames.slice(client.frames.indexOf(client.joined) + 1)) apply(frame);
    client.onFrame(apply);
  }

  sorted(): string[] {
    return [...this.members.values()].sort();
  }
}

describe("member lists stay consistent when joins, renames and leaves share a coalescing window", () => {
  it("every client's list, joined plus system diffs, is valid at each step and ends right", async () => {
    const clock = new ServerClock();
    const server = await fixture.start({ PRESENCE_GRACE_MS: "0" }, { timers: clock });
    // Different gaps on the server's clock put the steps in one window, or across two, in
    // different places.
    for (const [round, gap] of [0, 0, 20, 60, 120, 250].entries()) {
      const room = `window-${round}`;
      const observer = await fixture.join({ room, name: "observer" });
      const observerView = new MemberView(observer);
      const renamer = await fixture.join({ room, name: "oldname" });
      const renamerView = new MemberView(renamer);
      await clock.advance(gap);
      const late = await fixture.join({ room, name: "late" });
      const lateView = new MemberView(late);
      const lateSawOldName = late.joined.members.some((user) => user.name === "oldname");
      await clock.advance(gap);
      renamer.send({ type: "rename", name: "newname" });
      const passer = await fixture.join({ room, name: "passer" });
      await passer.close();

      const expected = ["late", "newname", "observer"];
      const views = { observer: observerView, renamer: renamerView, late: lateView };
      // Windows close as the server's clock moves on, until every list has settled.
      const settled = () => Object.values(views).every((view) => view.sorted().join() === expected.join());
      await waitUntil(
        async () => {
          await clock.advance(server.config.limits.systemFlushMs);
          return settled();
        },
        { what: `round ${round}'s member lists to settle` },
      ).catch(() => undefined); // the expectations below say what differs
      for (const [name, view] of Object.entries(views)) {
        expect(view.violations, `${name}, round ${round}`).toEqual([]);
        expect(view.sorted(), `${name}, round ${round}`).toEqual(expected);
      }
      // Whoever saw the old name was told of the rename.
      if (lateSawOldName) expect(lateView.renames).toEqual([{ id: renamer.joined.you.id, from: "oldname", to: "newname" }]);
      for (const client of [observer, renamer, late]) await client.close();
    }
  });
});
