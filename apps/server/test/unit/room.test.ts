import { describe, expect, it } from "vitest";
import { MemoryMessageStore } from "../../src/backend/memory/message-store";
import { Room } from "../../src/chat/room/room";
import { testConfig } from "../../src/config";
import { chatOf } from "../contract/append-helpers";
import { FakeClock } from "../support/fake-clock";
import { RecordingSeat, settle } from "./support/recording-seat";

const quiet = { info() {}, warn() {}, error() {} };

function room(messages = new MemoryMessageStore({ nodeId: "n" })) {
  const clock = new FakeClock();
  const limits = testConfig().limits;
  const emptied: Room[] = [];
  const chat = new Room({
    name: "r",
    latestSeq: 0,
    deps: { limits, timers: clock, logger: quiet },
    fillGap: async (after, upTo) => (await messages.range("r", { after, upTo, limit: upTo - after })).messages,
    loadChats: async (upTo, limit) => (await messages.latestChats("r", upTo, limit)).messages,
    onEmpty: (empty) => emptied.push(empty),
  });
  return { clock, limits, chat, emptied, messages };
}

describe("Room", () => {
  it("admit returns the name the user got and the seat it replaced, and changes nothing it was given", () => {
    const { chat } = room();
    const first = new RecordingSeat("u1");
    expect(chat.admit(first, "alice")).toEqual({ user: { id: "u1", name: "alice" }, replaced: null });
    const clash = new RecordingSeat("u2");
    expect(chat.admit(clash, "Alice")).toEqual({ user: { id: "u2", name: "Alice (2)" }, replaced: null });
    const again = new RecordingSeat("u1");
    expect(chat.admit(again, "alice")).toEqual({ user: { id: "u1", name: "alice" }, replaced: first });
    expect(chat.seatCount).toBe(2);
    expect(chat.memberCount).toBe(2);
  });

  it("rename answers by result: taken, unchanged, renamed", async () => {
    const { chat } = room();
    const alice = new RecordingSeat("u1");
    chat.admit(alice, "alice");
    chat.admit(new RecordingSeat("u2"), "bob");
    expect(await chat.rename(alice, "BOB")).toBe("taken");
    expect(await chat.rename(alice, "alice")).toBe("unchanged");
    expect(await chat.rename(alice, "alicia")).toBe("renamed");
    expect(chat.userOf(alice)).toEqual({ id: "u1", name: "alicia" });
  });

  it("fans stored events out in seq order, filling a hole from the store", async () => {
    const { chat, messages } = room();
    const seat = new RecordingSeat("u1");
    chat.admit(seat, "alice");
    const stored = [];
    for (const id of ["c1", "c2", "c3"])
      stored.push(chatOf(await messages.append({ room: "r", actor: { id: "u9", name: "x" }, kind: "chat", text: id, clientMsgId: id })));
    chat.deliver(stored[2] as (typeof stored)[number]);
    await settle();
    expect(seat.ofType("chat").map((frame) => frame.seq)).toEqual([1, 2, 3]);
    expect(chat.deliveredSeq).toBe(3);
  });

  it("a released member leaves after the grace period, and then the room reports itself empty", () => {
    const { chat, clock, limits, emptied } = room();
    const seat = new RecordingSeat("u1");
    chat.admit(seat, "alice");
    chat.release(seat);
    expect(chat.seatCount).toBe(0);
    clock.advance(limits.presenceGraceMs - 1);
    expect(emptied).toEqual([]);
    clock.advance(1);
    expect(emptied).toEqual([chat]);
    expect(chat.memberCount).toBe(0);
  });

  it("a member who leaves on purpose leaves at once: no grace, its name is free, the room reports itself empty", async () => {
    const { chat, clock, limits, emptied } = room();
    const alice = new RecordingSeat("u1");
    const bob = new RecordingSeat("u2");
    chat.admit(alice, "alice");
    chat.admit(bob, "bob");
    clock.advance(limits.systemFlushMs);
    chat.leave(alice);
    expect(chat.seatCount).toBe(1);
    expect(chat.memberCount).toBe(1);
    expect(chat.userOf(alice)).toBeUndefined();
    expect(chat.nameTakenByOther("alice", "u3")).toBe(false);
    clock.advance(limits.systemFlushMs);
    await settle();
    expect(bob.ofType("system").at(-1)).toMatchObject({ left: [{ id: "u1", name: "alice" }], memberCount: 1 });
    // Nothing more reaches the seat that left.
    const received = alice.received.length;
    chat.announce("after");
    await settle();
    expect(alice.received).toHaveLength(received);
    chat.leave(bob);
    expect(emptied).toEqual([chat]);
    // A second leave, or a release after it, changes nothing.
    chat.leave(bob);
    chat.release(bob);
    clock.advance(limits.presenceGraceMs);
    expect(emptied).toEqual([chat]);
  });

  it("nameTakenByOther folds case and ignores the user's own name", () => {
    const { chat } = room();
    chat.admit(new RecordingSeat("u1"), "alice");
    expect(chat.nameTakenByOther("ALICE", "u2")).toBe(true);
    expect(chat.nameTakenByOther("alice", "u1")).toBe(false);
    expect(chat.nameTakenByOther("bob", "u2")).toBe(false);
  });
});
