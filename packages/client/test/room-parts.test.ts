import type { SystemFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { ClientStorage, memoryStore } from "../src/persistence/storage";
import { Alerts } from "../src/room/alerts";
import { type FrameHandlers, roomOf, routeFrame } from "../src/room/frame-router";
import { Identity } from "../src/room/identity";
import { MessageLog } from "../src/room/message-log";
import { ReadMarker } from "../src/room/read-marker";
import { Resume } from "../src/room/resume";
import type { RoomFrame } from "../src/room/room-link";
import { Roster } from "../src/room/roster";
import { Typing } from "../src/room/typing";
import { UnreadCounter } from "../src/room/unread";
import { alice, bob, carol, chat, chats, FakeClock, joined, ready } from "./support/fakes";

const system = (frame: Partial<SystemFrame>): SystemFrame => ({
  type: "system",
  room: "lobby",
  ts: 1,
  joined: [],
  left: [],
  renamed: [],
  memberCount: 0,
  ...frame,
});

describe("Roster", () => {
  it("members who come back within the quiet window after a reconnect get no joined line; newcomers do", () => {
    const clock = new FakeClock();
    const roster = new Roster(30_000);
    roster.joined(joined({ members: [alice, bob, carol] }), false, clock.now());
    // Reconnected: bob and carol are not listed yet.
    roster.joined(joined({ members: [alice] }), true, clock.now());
    const dave = { id: "u-dave", name: "dave" };
    const change = roster.applySystem(system({ joined: [bob, dave], memberCount: 3 }), alice.id, clock.now());
    expect(change.events).toEqual([{ kind: "joined", user: dave }]);
    clock.advance(30_000);
    expect(roster.applySystem(system({ joined: [carol], memberCount: 4 }), alice.id, clock.now()).events).toEqual([
      { kind: "joined", user: carol },
    ]);
    expect(roster.list).toEqual([alice, bob, dave, carol]);
    expect(roster.memberCount).toBe(4);
  });

  it("leaves, renames and notices become log lines in order; our own join does not", () => {
    const roster = new Roster(30_000);
    roster.joined(joined({ members: [alice, bob] }), false, 0);
    const bobby = { ...bob, name: "bobby" };
    const change = roster.applySystem(
      system({ joined: [alice], left: [carol], renamed: [{ user: bobby, previousName: "bob" }], notice: "maintenance", memberCount: 2 }),
      alice.id,
      0,
    );
    expect(change.events).toEqual([
      { kind: "left", user: carol },
      { kind: "renamed", user: bobby, previousName: "bob" },
      { kind: "notice", text: "maintenance" },
    ]);
    expect(change.left).toEqual([carol]);
    expect(change.renamed).toEqual([bobby]);
    expect(roster.list).toEqual([alice, bobby]);
  });
});

describe("Typing", () => {
  function setup() {
    const clock = new FakeClock();
    const sent: RoomFrame[] = [];
    let changes = 0;
    const typing = new Typing({
      timers: clock,
      send: (frame) => sent.push(frame) > 0,
      typingSendEveryMs: 2_000,
      serverTypingThrottleMs: 1_250,
      typingExpiresMs: 5_000,
      onChange: () => changes++,
    });
    return { clock, sent, typing, changes: () => changes };
  }

  it("sends typing at most every 2 s, clears it after 5 s of quiet, and waits out the server's throttle on a restart", () => {
    const t = setup();
    t.typing.note();
    t.clock.advance(1_000);
    t.typing.note();
    expect(t.sent).toEqual([{ type: "typing", active: true }]);
    t.clock.advance(5_000);
    expect(t.sent).toEqual([
      { type: "typing", active: true },
      { type: "typing", active: false },
    ]);
    t.typing.stop();
    t.typing.note();
    expect(t.sent).toHaveLength(3);
    // A stop right after a start: the next start waits until the server takes it again.
    t.typing.stop();
    t.typing.note();
    expect(t.sent).toHaveLength(4);
    t.clock.advance(1_249);
    expect(t.sent).toHaveLength(4);
    t.clock.advance(1);
    expect(t.sent.at(-1)).toEqual({ type: "typing", active: true });
  });

  it("others' indicators expire without news and go when they send; our own frames are ignored", () => {
    const t = setup();
    t.typing.received({ type: "typing", room: "lobby", user: bob, active: true }, alice.id);
    t.typing.received({ type: "typing", room: "lobby", user: alice, active: true }, alice.id);
    t.clock.advance(2_000);
    t.typing.received({ type: "typing", room: "lobby", user: carol, active: true }, alice.id);
    expect(t.typing.list).toEqual([bob, carol]);
    const list = t.typing.list;
    expect(t.typing.list).toBe(list);
    t.clock.advance(3_000);
    expect(t.typing.list).toEqual([carol]);
    expect(t.changes()).toBe(1);
    t.typing.forget(carol.id);
    expect(t.typing.list).toEqual([]);
  });
});

describe("Identity and alerts", () => {
  it("a restored session keeps its own name; a new tab takes the URL's", () => {
    const tab = memoryStore();
    const storage = new ClientStorage(tab, memoryStore());
    expect(new Identity(storage, "fromurl").name).toBe("fromurl");
    storage.saveIdentity({ session: "s", name: "saved" });
    expect(new Identity(storage, "fromurl").name).toBe("saved");
  });

  it("a ready or joined under another name than asked reports it; a confirmed rename clears the pending one", () => {
    const storage = new ClientStorage(memoryStore(), memoryStore());
    const identity = new Identity(storage, "alice");
    expect(identity.ready(alice, "token")).toBeNull();
    // A room where another member present is "alice" gives us a suffix there; our name stays ours.
    expect(identity.joinedAs({ ...alice, name: "alice (2)" })).toEqual({ requested: "alice", given: "alice (2)" });
    expect(identity.name).toBe("alice");
    expect(new Identity(storage, "alice").ready({ ...alice, name: "alice (2)" }, "token")).toEqual({
      requested: "alice",
      given: "alice (2)",
    });
    expect(identity.choose("alicia")).toBe("rename");
    expect(identity.pendingRename).toBe("alicia");
    expect(identity.renamed({ ...alice, name: "alicia" })).toBe(true);
    expect(identity.pendingRename).toBeUndefined();
    expect(storage.loadIdentity()).toEqual({ session: "token", name: "alicia" });
    identity.choose("taken");
    expect(identity.renameRefused()).toBe("taken");
    expect(identity.name).toBe("alicia");
  });

  it("a later success clears only the alerts it answers", () => {
    const alerts = new Alerts();
    alerts.raise("name_taken", "taken", "bob");
    alerts.resolve("sent");
    expect(alerts.alert).toMatchObject({ code: "name_taken", name: "bob", id: 1 });
    alerts.resolve("renamed");
    expect(alerts.alert).toBeNull();
    alerts.raise("too_long_local", "too long");
    expect(alerts.alert?.id).toBe(1);
    alerts.resolve("sent");
    expect(alerts.alert).toBeNull();
  });
});

describe("Resume: the continuity check", () => {
  it("a joined that reaches our `since` is verified first, and frames meanwhile are held", () => {
    const log = new MessageLog();
    log.merge(chats(1, 5));
    const resume = new Resume();
    resume.attempt(5);
    expect(resume.joined(joined({ latestSeq: 8 }), log)).toEqual({ kind: "verify", anchor: 5 });
    expect(resume.holds(chat(6))).toBe(true);
    expect(resume.holds({ type: "unknown-event", eventType: "poll", room: "lobby", seq: 7 })).toBe(true);
    expect(resume.holds({ type: "error", code: "rate_limited", message: "slow down", room: "lobby" })).toBe(false);
    const verified = resume.answered({ type: "history", room: "lobby", messages: [{ ...chat(5), id: "other" }], hasOlder: true });
    expect(verified).toMatchObject({
      since: 5,
      storeReset: true,
      held: [chat(6), { type: "unknown-event", eventType: "poll", room: "lobby", seq: 7 }],
    });
    expect(resume.verifying).toBe(false);
  });

  it("a `since` that is the seq of a change (not a chat) is checked at the newest chat held below it", () => {
    const log = new MessageLog();
    log.merge(chats(1, 5));
    log.cover(1, 9);
    const resume = new Resume();
    resume.attempt(9);
    expect(resume.joined(joined({ latestSeq: 12 }), log)).toEqual({ kind: "verify", anchor: 5 });
    const verified = resume.answered({ type: "history", room: "lobby", messages: [chat(5)], hasOlder: true });
    expect(verified).toMatchObject({ since: 9, storeReset: false });
  });

  it("a joined below our `since` is a store reset; a first visit applies at once", () => {
    const log = new MessageLog();
    log.merge(chats(1, 5));
    const resume = new Resume();
    resume.attempt(5);
    expect(resume.joined(joined({ latestSeq: 2 }), log)).toEqual({ kind: "apply", since: 5, storeReset: true });
    resume.attempt(undefined);
    expect(resume.joined(joined({ latestSeq: 2 }), log)).toEqual({ kind: "apply", since: undefined, storeReset: false });
  });
});

describe("routeFrame", () => {
  it("hands each frame to the handler for its type, skips types with none, and says which it handled", () => {
    const seen: string[] = [];
    const handlers: FrameHandlers = {
      chat: (frame) => seen.push(`chat ${frame.seq}`),
      pong: () => seen.push("pong"),
      "unknown-event": (frame) => seen.push(`${frame.eventType} ${frame.seq}`),
    };
    expect(routeFrame(chat(3), handlers)).toBe(true);
    expect(routeFrame({ type: "pong" }, handlers)).toBe(true);
    expect(routeFrame(joined(), handlers)).toBe(false);
    expect(routeFrame({ type: "unknown-event", eventType: "poll", room: "lobby", seq: 4 }, handlers)).toBe(true);
    expect(seen).toEqual(["chat 3", "pong", "poll 4"]);
  });

  it("names the room of every room frame, and none for the connection's own", () => {
    expect(roomOf(chat(3, bob, "x", "c3", "dev"))).toBe("dev");
    expect(roomOf({ type: "left", room: "dev" })).toBe("dev");
    expect(roomOf({ type: "error", code: "not_joined", message: "no", room: "dev" })).toBe("dev");
    expect(roomOf({ type: "unknown-event", eventType: "poll", room: "dev", seq: 4 })).toBe("dev");
    expect(roomOf(ready())).toBeUndefined();
    expect(roomOf({ type: "pong" })).toBeUndefined();
    expect(roomOf({ type: "error", code: "bad_request", message: "hello first" })).toBeUndefined();
  });
});

describe("UnreadCounter", () => {
  it("counts chats from others above the marker, plus what ready counted that the log does not hold", () => {
    const log = new MessageLog();
    const unread = new UnreadCounter();
    log.merge([chat(8), chat(9, alice), chat(10)]);
    expect(unread.count(log, 7, alice.id)).toBe(2);
    // ready: 5 unread above 5 up to 10; the log holds 2 of them from others (8 and 10).
    unread.setBaseline({ room: "lobby", latestSeq: 10, readSeq: 5, unread: 5, unreadMentions: 0, notify: "mentions" });
    expect(unread.count(log, 5, alice.id)).toBe(5);
    log.merge([chat(6), chat(7)]);
    expect(unread.count(log, 5, alice.id)).toBe(5);
    log.merge([chat(11)]);
    expect(unread.count(log, 5, alice.id)).toBe(6);
    // Read past what ready knew: only the log counts.
    expect(unread.count(log, 10, alice.id)).toBe(1);
    unread.setBaseline(null);
    expect(unread.count(log, 5, alice.id)).toBe(5);
  });
});

describe("ReadMarker", () => {
  it("moves forward only, sends at most once per interval with the newest value, and resends after a lost link", () => {
    const clock = new FakeClock();
    const sent: number[] = [];
    const link = { open: true };
    const marker = new ReadMarker({ timers: clock, everyMs: 1_000, send: (seq) => link.open && sent.push(seq) > 0, restored: 0 });
    expect(marker.known).toBe(false);
    marker.heard(3);
    expect(marker.known).toBe(true);
    expect(marker.mark(2)).toBe(false);
    expect(marker.mark(5)).toBe(true);
    expect(marker.mark(7)).toBe(true);
    expect(sent).toEqual([5]);
    clock.advance(1_000);
    expect(sent).toEqual([5, 7]);
    link.open = false;
    clock.advance(1_000);
    marker.mark(9);
    marker.linkLost();
    link.open = true;
    // The room's next joined says the server holds 7: ours goes out.
    marker.heard(7);
    expect(sent).toEqual([5, 7, 9]);
    expect(marker.readSeq).toBe(9);
    marker.reset(2);
    expect(marker.readSeq).toBe(2);
  });
});
