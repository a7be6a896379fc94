import type { ModerationEvent } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { Room } from "../../src/chat/room/room";
import { testConfig } from "../../src/config";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat, settle } from "./support/recording-seat";

const quiet = { info() {}, warn() {}, error() {} };
const olga = { id: "u0", name: "olga" };

function room() {
  const clock = new FakeClock();
  return new Room({
    name: "r",
    latestSeq: 0,
    deps: { limits: testConfig().limits, timers: clock, logger: quiet },
    fillGap: async () => [],
    loadChats: async () => [],
    onEmpty: () => {},
  });
}

function event(seq: number, body: Record<string, unknown>): ModerationEvent {
  return { type: "moderation", room: "r", seq, ts: 0, by: olga, clientMsgId: `m-${seq}`, ...body } as ModerationEvent;
}

/** What a moderation event does as it passes through a room (on every node, since each node's stream emits it). */
describe("Room: moderation as it passes", () => {
  it("a kick reaches its target, then takes the seat out at once and tells it why; a bystander sees the event and the leave", async () => {
    const chat = room();
    const bob = new RecordingSeat("u1");
    const carol = new RecordingSeat("u2");
    chat.admit(bob, "bob");
    chat.admit(carol, "carol");
    chat.deliver(event(1, { action: "kick", user: { id: "u1", name: "bob" } }));
    await settle();
    expect(bob.ofType("moderation").map((frame) => frame.seq)).toEqual([1]);
    expect(bob.removedWith).toEqual({ reason: "kicked", by: olga });
    expect(chat.knownUser("u1")).toBeUndefined();
    expect(chat.seatCount).toBe(1);
    // Later events no longer reach the removed seat.
    chat.deliver(event(2, { action: "lock", locked: true }));
    await settle();
    expect(bob.ofType("moderation")).toHaveLength(1);
    expect(carol.ofType("moderation")).toHaveLength(2);
    expect(carol.removedWith).toBeNull();
  });

  it("a join admitted before a ban but seated after it learns of the ban; one admitted after it does not", async () => {
    const chat = room();
    chat.deliver(event(1, { action: "ban", user: { id: "u1", name: "bob" } }));
    await settle();
    expect(chat.removalAfter("u1", 0)).toEqual({ reason: "banned", by: olga });
    expect(chat.removalAfter("u1", 1)).toBeUndefined();
    expect(chat.removalAfter("u2", 0)).toBeUndefined();
  });

  it("a role shows on the member (an admin stays admin); a rename goes to the renamed user's seat", async () => {
    const chat = room();
    const bob = new RecordingSeat("u1");
    const admin = new RecordingSeat("u9");
    chat.admit(bob, "bob");
    chat.admit(admin, "root", { role: "admin", floor: "admin" });
    chat.deliver(event(1, { action: "role", user: { id: "u1", name: "bob" }, role: "moderator" }));
    chat.deliver(event(2, { action: "role", user: { id: "u9", name: "root" }, role: "member" }));
    chat.deliver(event(3, { action: "rename", user: { id: "u1", name: "bob" }, name: "robert", previousName: "bob" }));
    await settle();
    expect(chat.memberList(10)).toEqual([
      { id: "u1", name: "bob", role: "moderator" },
      { id: "u9", name: "root", role: "admin" },
    ]);
    expect(bob.renamedTo).toBe("robert");
    // Staff frames reach staff seats only.
    chat.sendToStaff(JSON.stringify({ type: "report", room: "r" }));
    expect(bob.ofType("report")).toHaveLength(1);
    expect(admin.ofType("report")).toHaveLength(1);
    const member = new RecordingSeat("u3");
    chat.admit(member, "carol");
    chat.sendToStaff(JSON.stringify({ type: "report", room: "r" }));
    expect(member.ofType("report")).toEqual([]);
  });
});
