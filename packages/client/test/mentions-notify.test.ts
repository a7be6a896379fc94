import type { ChatFrame, MembershipEntry, User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { notificationDue, type RoomNews } from "../src/notifications/room-news";
import { setup } from "./support/client-setup";
import { alice, bob, carol, chat, joined, ready } from "./support/fakes";

const mentioning = (seq: number, from: User, users: User[], extra: Partial<ChatFrame> = {}): ChatFrame => ({
  ...chat(seq, from, `${users.map((user) => `@${user.name}`).join(" ")} look`),
  ...(users.length > 0 ? { mentions: users } : {}),
  ...extra,
});
const edit = (seq: number, target: number, mentions: User[], by: User = bob) => ({
  type: "edit" as const,
  room: "lobby",
  seq,
  target,
  ts: 1,
  text: "edited",
  by,
  clientMsgId: `e${seq}`,
  ...(mentions.length > 0 ? { mentions } : {}),
});

function setupRoom() {
  const t = setup({ name: "alice" });
  const news: RoomNews[] = [];
  t.client.subscribeNews((item) => news.push(item));
  return { ...t, news, lobby: () => t.snap().rooms.find((line) => line.room === "lobby") };
}

describe("unread mentions: the server's baseline, then counted from the log", () => {
  it("starts from joined.unreadMentions for what the log does not hold, then counts chats, edits and deletes", () => {
    const t = setupRoom();
    const membership: MembershipEntry = { room: "lobby", latestSeq: 10, readSeq: 4, unread: 6, unreadMentions: 2, notify: "mentions" };
    // The join holds 9..10 only; the server counted two mentions above 4 (one of them is 10).
    const socket = t.connect(
      { ...joined({ messages: [chat(9), mentioning(10, bob, [alice])], latestSeq: 10, readSeq: 4, complete: false }), unreadMentions: 2 },
      ready({ rooms: [membership] }),
    );
    expect(t.lobby()).toMatchObject({ unreadMentions: 2, notify: "mentions" });
    // Another's chat naming someone else, ours naming us, and @room from carol.
    socket.receive(mentioning(11, bob, [carol]));
    socket.receive(mentioning(12, alice, [alice]));
    socket.receive(mentioning(13, carol, [], { mentionsRoom: true, text: "@room hi" }));
    expect(t.lobby()?.unreadMentions).toBe(3);
    // An edit adds a mention of us to 11, another takes it away from 10; a delete removes 13.
    socket.receive(edit(14, 11, [alice]));
    socket.receive(edit(15, 10, []));
    expect(t.lobby()?.unreadMentions).toBe(3);
    socket.receive({ type: "delete", room: "lobby", seq: 16, target: 13, ts: 1, by: carol, clientMsgId: "d16" });
    expect(t.lobby()?.unreadMentions).toBe(2);
    // Reading to the end clears them.
    t.client.markRead();
    expect(t.lobby()?.unreadMentions).toBe(0);
  });
});

describe("notify levels: one owner, fed by ready, joined and notify", () => {
  it("takes the level from joined, sends notify, and follows the server's notify (any tab's change)", () => {
    const t = setupRoom();
    const socket = t.connect({ ...joined(), notify: "all" });
    expect(t.lobby()?.notify).toBe("all");
    expect(t.client.setNotifyLevel("lobby", "none")).toBe(true);
    expect(socket.sentOf("notify")).toEqual([{ type: "notify", room: "lobby", level: "none" }]);
    // The level changes when the server says so, in this tab and every other.
    expect(t.lobby()?.notify).toBe("all");
    socket.receive({ type: "notify", room: "lobby", level: "none" });
    expect(t.lobby()?.notify).toBe("none");
    expect(t.client.setNotifyLevel("elsewhere", "all")).toBe(false);
  });

  it("hands every live chat and edit to the news listeners with the room's level and the edit's earlier mention", () => {
    const t = setupRoom();
    const socket = t.connect({ ...joined({ messages: [chat(1)] }), notify: "mentions" });
    socket.receive(mentioning(2, bob, [alice]));
    socket.receive(edit(3, 2, [alice]));
    socket.receive(edit(4, 1, [alice]));
    expect(t.news.map(({ kind, seq, mentionsMe, mentionedBefore, level }) => ({ kind, seq, mentionsMe, mentionedBefore, level }))).toEqual([
      { kind: "chat", seq: 2, mentionsMe: true, mentionedBefore: false, level: "mentions" },
      { kind: "edit", seq: 2, mentionsMe: true, mentionedBefore: true, level: "mentions" },
      { kind: "edit", seq: 1, mentionsMe: true, mentionedBefore: false, level: "mentions" },
    ]);
    expect(t.news.filter(notificationDue).map((news) => news.seq)).toEqual([2, 1]);
  });
});

describe("notificationDue: level x own x edit-adds", () => {
  const base: RoomNews = {
    kind: "chat",
    room: "lobby",
    seq: 1,
    from: bob,
    text: "hi",
    mentionsMe: false,
    mentionedBefore: false,
    level: "mentions",
    meId: alice.id,
  };
  const cases: [Partial<RoomNews>, boolean][] = [
    [{ level: "all" }, true],
    [{ level: "mentions" }, false],
    [{ level: "mentions", mentionsMe: true }, true],
    [{ level: "none", mentionsMe: true }, false],
    [{ level: "all", from: alice }, false],
    [{ level: "mentions", mentionsMe: true, from: alice }, false],
    [{ kind: "edit", level: "all" }, false],
    [{ kind: "edit", level: "all", mentionsMe: true }, true],
    [{ kind: "edit", level: "mentions", mentionsMe: true }, true],
    [{ kind: "edit", level: "mentions", mentionsMe: true, mentionedBefore: true }, false],
    [{ kind: "edit", level: "none", mentionsMe: true }, false],
    [{ meId: undefined, level: "all" }, false],
  ];
  it.each(cases)("%o -> %s", (change, due) => {
    expect(notificationDue({ ...base, ...change })).toBe(due);
  });
});
