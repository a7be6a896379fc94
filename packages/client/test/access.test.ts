import { describe, expect, it } from "vitest";
import { memoryStore } from "../src/persistence/storage";
import { setup } from "./support/client-setup";
import { alice, bob, carol, chat, chats, joined, moderation, ready } from "./support/fakes";

const moderationLines = (items: ReturnType<ReturnType<typeof setup>["snap"]>["items"]) =>
  items.flatMap((item) => (item.type === "moderation" ? [`${item.event.seq}:${item.event.action}`] : []));

describe("room access: joined, then moderation events once each, in seq order", () => {
  it("takes the role, the room's rules and the staff map from joined", () => {
    const t = setup();
    t.connect(
      joined({
        messages: chats(1, 2),
        access: {
          role: "moderator",
          private: true,
          locked: true,
          slowModeMs: 30_000,
          staff: [{ ...carol, role: "owner" }],
          mutedUntil: null,
        },
      }),
    );
    const access = t.snap().access;
    expect(access).toMatchObject({ role: "moderator", private: true, locked: true, slowModeMs: 30_000, mutedUntil: null, throughSeq: 2 });
    expect([...access.staff]).toEqual([[carol.id, "owner"]]);
  });

  it("applies live moderation events, shows them as lines between the chats, and covers their seqs", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 2) }));
    socket.receive(moderation(3, "mute", { user: alice, durationMs: 600_000, until: 1_700_000_603_000 }));
    socket.receive(moderation(4, "lock", { locked: true }));
    socket.receive(moderation(5, "role", { user: bob, role: "moderator" }));
    socket.receive(moderation(6, "slow-mode", { intervalMs: 10_000 }));
    socket.receive(chat(7));
    const { access, items } = t.snap();
    expect(access).toMatchObject({ mutedUntil: 1_700_000_603_000, locked: true, slowModeMs: 10_000, throughSeq: 6 });
    expect(access.staff.get(bob.id)).toBe("moderator");
    expect(items.map((item) => item.key)).toEqual(["m1", "m2", "d3", "d4", "d5", "d6", "m7"]);
    // Nothing is missing between 2 and 7: no history is asked for.
    expect(socket.sentOf("history")).toEqual([]);
    socket.receive(moderation(8, "unmute", { user: alice }));
    expect(t.snap().access.mutedUntil).toBeUndefined();
    socket.receive(moderation(9, "role", { user: alice, role: "owner" }));
    expect(t.snap().access.role).toBe("owner");
  });

  it("does not apply again what a resume's joined already reflects, but shows its lines", () => {
    const t = setup();
    let socket = t.connect(joined({ messages: chats(1, 2) }));
    socket.drop(1006);
    // While away: bob was muted, then unmuted; the room was locked. The joined says how it stands now.
    socket = t.connect(
      joined({
        events: [
          moderation(3, "lock", { locked: true }),
          moderation(4, "lock", { locked: false }),
          moderation(5, "lock", { locked: true }),
        ],
        access: { locked: true },
        complete: true,
      }),
    );
    expect(socket.joinOf()?.since).toBe(2);
    expect(t.snap().access).toMatchObject({ locked: true, throughSeq: 5 });
    expect(moderationLines(t.snap().items)).toEqual(["3:lock", "4:lock", "5:lock"]);
    // A page that brings them again (a gap fill after another drop) changes nothing.
    socket.receive({ type: "history", room: "lobby", messages: [moderation(4, "lock", { locked: false })], hasNewer: false });
    expect(t.snap().access.locked).toBe(true);
  });

  it("holds a live event above a hole until the hole is filled, then applies the events in seq order", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 2) }));
    // The live stream never skips, but a client that restored a log can see one (e.g. after a rejoin with complete: false).
    socket.receive(moderation(5, "lock", { locked: false }));
    expect(socket.sentOf("history")).toEqual([{ type: "history", room: "lobby", after: 2, limit: 2 }]);
    expect(t.snap().access.throughSeq).toBe(2);
    socket.receive({
      type: "history",
      room: "lobby",
      messages: [moderation(3, "lock", { locked: true }), chat(4)],
      hasNewer: true,
    });
    expect(t.snap().access).toMatchObject({ locked: false, throughSeq: 5 });
  });

  it("steps over a moderation action it does not know: its seq is covered, nothing else changes", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 2) }));
    socket.receiveRaw({ type: "moderation", room: "lobby", seq: 3, ts: 1, by: carol, clientMsgId: "x", action: "shadow-ban", user: bob });
    socket.receive(chat(4));
    expect(socket.sentOf("history")).toEqual([]);
    expect(t.chatSeqs()).toEqual([1, 2, 4]);
    expect(moderationLines(t.snap().items)).toEqual([]);
  });

  it("keeps the moderation lines across a reload", () => {
    const tab = memoryStore();
    const first = setup({ tab });
    const socket = first.connect(joined({ messages: chats(1, 2) }));
    socket.receive(moderation(3, "kick", { user: bob }));
    first.client.flushStorage();
    const second = setup({ tab });
    expect(moderationLines(second.snap().items)).toEqual(["3:kick"]);
  });

  it("the admin key goes in hello from the browser's credentials, and ready.admin makes us admin everywhere", () => {
    const t = setup();
    const adminKey = "A".repeat(43);
    t.credentials.setAdminKey(adminKey);
    t.connect(joined({ access: { role: "member" } }), { ...ready(), admin: true });
    expect(t.sockets.last.hello).toMatchObject({ type: "hello", adminKey });
    expect(t.snap().admin).toBe(true);
    expect(t.snap().access.role).toBe("admin");
  });

  it("a kick (left with a reason) removes the room and keeps a notice; it is not joined again by itself", () => {
    const t = setup({ initialRoom: "team" });
    const socket = t.connect(joined({ room: "team", messages: chats(1, 2, bob, "team") }));
    t.client.openRoom("lobby");
    socket.receive(joined({ room: "lobby" }));
    socket.receive({ type: "left", room: "team", reason: "kicked", by: carol });
    expect(t.snap().rooms.map((summary) => summary.room)).toEqual(["lobby"]);
    expect(t.snap().roomRemoval).toMatchObject({ room: "team", reason: "kicked", by: carol });
    socket.drop(1006);
    const next = t.connect(joined({ room: "lobby" }));
    expect(next.joinOf("team")).toBeUndefined();
  });
});
