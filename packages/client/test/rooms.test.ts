import { type ChatFrame, DEFAULT_NOTIFY_LEVEL, type MembershipEntry, type User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { memoryStore } from "../src/persistence/storage";
import { setup } from "./support/client-setup";
import { alice, bob, carol, chat, chats, joined, ready } from "./support/fakes";

/** A chat of `room`, from `from`, with the fakes' ids (m<seq>, c<seq>). */
const say = (room: string, seq: number, from: User = bob, text = `${room} ${seq}`, clientMsgId = `c${seq}`): ChatFrame =>
  chat(seq, from, text, clientMsgId, room);
const membership = (room: string, latestSeq: number, readSeq = latestSeq, unread = 0): MembershipEntry => ({
  room,
  latestSeq,
  readSeq,
  unread,
  unreadMentions: 0,
  notify: DEFAULT_NOTIFY_LEVEL,
});

/** Lobby joined with 1..3, dev and ops memberships joined from `ready`; all on one socket. */
function threeRooms() {
  const t = setup({ name: "alice" });
  const socket = t.connect(joined({ messages: chats(1, 3) }), ready({ rooms: [membership("dev", 2), membership("ops", 0)] }));
  socket.receive(joined({ room: "dev", messages: [say("dev", 1), say("dev", 2, carol)] }));
  socket.receive(joined({ room: "ops" }));
  return { ...t, socket };
}

describe("RoomSet: every room of the tab on one socket", () => {
  it("joins the active room first, then every membership, and keeps each room's stream apart", () => {
    const t = threeRooms();
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.socket.sentOf("join")).toEqual([
      { type: "join", room: "lobby" },
      { type: "join", room: "dev" },
      { type: "join", room: "ops" },
    ]);
    // Interleaved live frames go to their own room, each gap-free in its own seq.
    t.socket.receive(say("ops", 1));
    t.socket.receive(say("dev", 3));
    t.socket.receive(say("lobby", 4));
    t.socket.receive(say("ops", 2, carol));
    expect(t.chatSeqs()).toEqual([1, 2, 3, 4]);
    expect(t.socket.sentOf("history")).toEqual([]);
    t.client.openRoom("ops");
    expect(t.snap().items.flatMap((item) => (item.type === "chat" ? [item.message.text] : []))).toEqual(["ops 1", "ops 2"]);
    expect(t.snap().rooms.map(({ room, status, latestSeq }) => ({ room, status, latestSeq }))).toEqual([
      { room: "dev", status: "joined", latestSeq: 3 },
      { room: "lobby", status: "joined", latestSeq: 4 },
      { room: "ops", status: "joined", latestSeq: 2 },
    ]);
  });

  it("switches instantly between joined rooms: no new socket, no join, no reload", () => {
    const t = threeRooms();
    const sent = t.socket.sent.length;
    t.client.openRoom("dev");
    expect(t.snap().room).toBe("dev");
    expect(t.chatSeqs()).toEqual([1, 2]);
    expect(t.snap().members).toEqual([alice]);
    t.client.openRoom("lobby");
    expect(t.chatSeqs()).toEqual([1, 2, 3]);
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.socket.sent).toHaveLength(sent);
    expect(t.snap().connection.status).toBe("open");
  });

  it("joins a room it does not hold on the same socket; a send there waits for its joined", () => {
    const t = setup();
    const socket = t.connect();
    t.client.openRoom("new-room");
    expect(t.snap().rooms.map(({ room, status }) => [room, status])).toEqual([
      ["lobby", "joined"],
      ["new-room", "joining"],
    ]);
    t.client.send("first words");
    expect(socket.sentOf("chat")).toEqual([]);
    socket.receive(joined({ room: "new-room", messages: chats(1, 2, bob, "new-room") }));
    expect(socket.sentOf("chat")).toMatchObject([{ type: "chat", room: "new-room", text: "first words" }]);
    expect(t.sockets.sockets).toHaveLength(1);
    expect(t.snap().readMarkerSeq).toBe(2);
  });

  it("a message typed offline in a room the user then switches away from is delivered once when the socket returns", () => {
    const t = threeRooms();
    t.socket.drop(1006);
    t.client.send("typed offline in lobby");
    const id = t.snap().outbox[0]?.clientMsgId ?? "";
    t.client.openRoom("dev");
    expect(t.snap().outbox).toEqual([]);
    expect(t.snap().rooms.find((line) => line.room === "lobby")).toMatchObject({ unsent: 1, status: "joining" });

    const back = t.connect(joined({ room: "dev", latestSeq: 2 }), ready({ rooms: [membership("dev", 2), membership("lobby", 3)] }));
    // The active room first, each from its own resume point; one socket.
    expect(back.sentOf("join")).toEqual([
      { type: "join", room: "dev", since: 2 },
      { type: "join", room: "lobby", since: 3 },
      { type: "join", room: "ops" },
    ]);
    expect(back.sentOf("chat")).toEqual([]);
    back.receive(joined({ room: "lobby", latestSeq: 3 }));
    t.answerContinuity(back, "lobby");
    expect(back.sentOf("chat")).toEqual([{ type: "chat", room: "lobby", text: "typed offline in lobby", clientMsgId: id }]);
    back.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 4, ts: 1 });
    back.receive(say("lobby", 4, alice, "typed offline in lobby", id));
    expect(t.snap().rooms.find((line) => line.room === "lobby")).toMatchObject({ unsent: 0, status: "joined" });
    expect(t.sockets.sockets).toHaveLength(2);

    // Delivered means done: another drop sends nothing again.
    back.drop(1006);
    const third = t.connect(joined({ room: "dev", latestSeq: 2 }), ready({ rooms: [membership("dev", 2), membership("lobby", 4)] }));
    third.receive(joined({ room: "lobby", latestSeq: 4 }));
    t.answerContinuity(third, "lobby");
    expect(third.sentOf("chat")).toEqual([]);
    t.client.openRoom("lobby");
    expect(t.chatSeqs()).toEqual([1, 2, 3, 4]);
  });

  it("a chat refused as not_joined is not stored: the room is joined again and the chat goes out again, same id", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    t.client.send("lost on the server");
    const [sent] = socket.sentOf("chat");
    socket.receive({ type: "error", code: "not_joined", message: "no", room: "lobby", clientMsgId: sent?.clientMsgId ?? "" });
    socket.receive({ type: "error", code: "not_joined", message: "no", room: "lobby" });
    expect(socket.sentOf("join")).toEqual([
      { type: "join", room: "lobby" },
      { type: "join", room: "lobby", since: 3 },
    ]);
    expect(t.snap().outbox).toMatchObject([{ status: "pending" }]);
    expect(t.snap().alert).toBeNull();
    socket.receive(joined({ messages: [], latestSeq: 3 }));
    t.answerContinuity(socket);
    expect(socket.sentOf("chat").map((frame) => frame.clientMsgId)).toEqual([sent?.clientMsgId, sent?.clientMsgId]);
  });

  it("too_many_rooms drops that room and says so; the active room moves on", () => {
    const t = setup();
    const socket = t.connect();
    t.client.openRoom("one-too-many");
    socket.receive({ type: "error", code: "too_many_rooms", message: "at most 50 rooms", room: "one-too-many" });
    expect(t.snap().alert).toMatchObject({ code: "too_many_rooms" });
    expect(t.snap().room).toBe("lobby");
    expect(t.snap().rooms.map((line) => line.room)).toEqual(["lobby"]);
    expect(t.tab.getItem("chatroom:rooms")).toBe(JSON.stringify({ rooms: ["lobby"], leaving: [] }));
  });

  it("a reload rejoins every room of the tab, each from its saved resume point, and keeps its outbox", () => {
    const tab = memoryStore();
    const before = setup({ tab, name: "alice" });
    const socket = before.connect(joined({ messages: chats(1, 3) }));
    before.client.openRoom("dev");
    socket.receive(joined({ room: "dev", messages: chats(1, 5, bob, "dev") }));
    socket.drop(1006);
    before.client.send("unsent in dev");
    before.client.flushStorage();

    const after = setup({ tab, name: "alice", initialRoom: "lobby" });
    expect(after.snap().rooms.map(({ room, unsent }) => [room, unsent])).toEqual([
      ["dev", 1],
      ["lobby", 0],
    ]);
    const resumed = after.connectHeld(joined({ latestSeq: 3 }));
    expect(resumed.sentOf("join")).toEqual([
      { type: "join", room: "lobby", since: 3 },
      { type: "join", room: "dev", since: 5 },
    ]);
    resumed.receive(joined({ room: "dev", latestSeq: 5 }));
    after.answerContinuity(resumed, "dev");
    expect(resumed.sentOf("chat")).toMatchObject([{ room: "dev", text: "unsent in dev" }]);
  });
});

describe("RoomSet: unread counts and read markers", () => {
  it("takes unread from ready until the room is joined, then counts chats from others above the marker locally", () => {
    const t = setup({ name: "alice" });
    const socket = t.connectHeld(
      joined({ messages: chats(1, 3) }),
      ready({ rooms: [membership("lobby", 3), membership("dev", 42, 40, 2)] }),
    );
    const dev = () => t.snap().rooms.find((line) => line.room === "dev");
    expect(dev()).toEqual({
      room: "dev",
      unread: 2,
      unreadMentions: 0,
      notify: "mentions",
      readSeq: 40,
      latestSeq: 42,
      unsent: 0,
      status: "joining",
    });
    expect(t.snap().totalUnread).toBe(2);

    // Joined without a resume point: only the newest messages come, the rest of the count stays from ready.
    socket.receive(joined({ room: "dev", messages: [say("dev", 42)], latestSeq: 42, readSeq: 40 }));
    expect(dev()).toMatchObject({ unread: 2, status: "joined" });
    socket.receive(say("dev", 43, carol));
    socket.receive(say("dev", 44, alice));
    expect(dev()).toMatchObject({ unread: 3, latestSeq: 44 });
    expect(t.snap().totalUnread).toBe(3);

    t.client.openRoom("dev");
    expect(t.snap().readMarkerSeq).toBe(40);
    // On screen while the page is visible: the active room's count is not in the total.
    expect(t.snap().totalUnread).toBe(0);
    t.client.markRead();
    expect(dev()).toMatchObject({ unread: 0, readSeq: 44 });
    expect(socket.sentOf("read")).toEqual([{ type: "read", room: "dev", seq: 44 }]);
    // The line stays where the marker was when the room was opened.
    expect(t.snap().readMarkerSeq).toBe(40);
    socket.receive(say("dev", 45));
    expect(dev()).toMatchObject({ unread: 1 });
  });

  it("counts the active room in the total while the page is hidden", () => {
    let visible = true;
    const listeners = new Set<() => void>();
    const t = setup({
      visibility: {
        isVisible: () => visible,
        subscribe: (callback) => {
          listeners.add(callback);
          return () => listeners.delete(callback);
        },
      },
    });
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    socket.receive(chat(4));
    expect(t.snap().totalUnread).toBe(0);
    visible = false;
    for (const listener of listeners) listener();
    expect(t.snap().totalUnread).toBe(1);
  });

  it("coalesces read markers: at most one read per second per room, the newest value, never backwards", () => {
    const t = setup();
    const socket = t.connect(joined({ messages: chats(1, 3), readSeq: 1 }));
    t.client.markRead();
    expect(socket.sentOf("read")).toEqual([{ type: "read", room: "lobby", seq: 3 }]);
    socket.receive(chat(4));
    t.client.markRead();
    socket.receive(chat(5));
    t.client.markRead();
    socket.receive(chat(6));
    t.client.markRead();
    t.client.markRead();
    expect(socket.sentOf("read")).toHaveLength(1);
    t.clock.advance(999);
    expect(socket.sentOf("read")).toHaveLength(1);
    t.clock.advance(1);
    expect(socket.sentOf("read")).toEqual([
      { type: "read", room: "lobby", seq: 3 },
      { type: "read", room: "lobby", seq: 6 },
    ]);
    // Nothing new: nothing sent.
    t.clock.advance(5_000);
    t.client.markRead();
    expect(socket.sentOf("read")).toHaveLength(2);
  });

  it("a marker moved while offline goes out after the room's next joined, if the server is behind it", () => {
    const t = setup();
    const first = t.connect(joined({ messages: chats(1, 3), readSeq: 1 }));
    first.receive(chat(4));
    first.drop(1006);
    t.client.markRead();
    expect(t.snap().rooms[0]).toMatchObject({ readSeq: 4, unread: 0 });
    const second = t.connect(joined({ latestSeq: 4, readSeq: 1 }));
    expect(second.sentOf("read")).toEqual([{ type: "read", room: "lobby", seq: 4 }]);
    // A server already past it hears nothing.
    second.drop(1006);
    const third = t.connect(joined({ latestSeq: 4, readSeq: 4 }));
    expect(third.sentOf("read")).toEqual([]);
  });
});

describe("RoomSet: leaving a room", () => {
  it("sends leave at once when nothing is unsent; left drops the room and its storage, and the next room becomes active", () => {
    const t = threeRooms();
    t.client.openRoom("dev");
    t.client.flushStorage();
    expect(t.tab.getItem("chatroom:room:dev")).not.toBeNull();
    t.client.leaveRoom("dev");
    expect(t.socket.sentOf("leave")).toEqual([{ type: "leave", room: "dev" }]);
    expect(t.snap().room).toBe("lobby");
    expect(t.snap().rooms.map((line) => line.room)).toEqual(["lobby", "ops"]);
    t.socket.receive({ type: "left", room: "dev" });
    expect(t.tab.getItem("chatroom:room:dev")).toBeNull();
    expect(t.tab.getItem("chatroom:rooms")).toBe(JSON.stringify({ rooms: ["lobby", "ops"], leaving: [] }));
    // Frames still on the wire for it go nowhere.
    t.socket.receive(say("dev", 3));
    expect(t.snap().rooms.map((line) => line.room)).toEqual(["lobby", "ops"]);
  });

  it("delivers a left room's unsent messages first, then leaves; a leave made offline survives a reload", () => {
    const tab = memoryStore();
    const t = setup({ tab, name: "alice" });
    const socket = t.connect(joined({ messages: chats(1, 3) }), ready({ rooms: [membership("dev", 0)] }));
    socket.receive(joined({ room: "dev" }));
    socket.drop(1006);
    t.client.openRoom("dev");
    t.client.send("last words");
    const id = t.snap().outbox[0]?.clientMsgId ?? "";
    t.client.leaveRoom("dev");
    expect(t.snap().rooms.map((line) => line.room)).toEqual(["lobby"]);
    t.client.flushStorage();

    const reloaded = setup({ tab, name: "alice" });
    const back = reloaded.connect(joined({ latestSeq: 3 }), ready({ rooms: [membership("dev", 0), membership("lobby", 3)] }));
    expect(back.joinOf("dev")).toEqual({ type: "join", room: "dev" });
    back.receive(joined({ room: "dev" }));
    expect(back.sentOf("chat")).toEqual([{ type: "chat", room: "dev", text: "last words", clientMsgId: id }]);
    expect(back.sentOf("leave")).toEqual([]);
    back.receive({ type: "ack", room: "dev", clientMsgId: id, seq: 1, ts: 1 });
    expect(back.sentOf("leave")).toEqual([{ type: "leave", room: "dev" }]);
    back.receive({ type: "left", room: "dev" });
    expect(tab.getItem("chatroom:room:dev")).toBeNull();
    expect(reloaded.snap().rooms.map((line) => line.room)).toEqual(["lobby"]);
  });

  it("opening a room again while its leave is on the wire joins it again once left comes", () => {
    const t = threeRooms();
    t.client.leaveRoom("ops");
    t.client.openRoom("ops");
    t.socket.receive({ type: "left", room: "ops" });
    expect(t.socket.sentOf("join").filter((frame) => frame.room === "ops")).toHaveLength(2);
    expect(t.snap().room).toBe("ops");
    expect(t.snap().rooms.map((line) => line.room)).toEqual(["dev", "lobby", "ops"]);
  });

  it("the lobby, as the tab's only room, stays", () => {
    const t = setup();
    const socket = t.connect();
    t.client.leaveRoom("lobby");
    expect(socket.sentOf("leave")).toEqual([]);
    expect(t.snap().rooms.map((line) => line.room)).toEqual(["lobby"]);
  });
});

describe("ChatClient: protocol 2's connection", () => {
  it("an event of a kind this client does not know advances the room's position: no gap, and the next resume starts after it", () => {
    const tab = memoryStore();
    const t = setup({ tab });
    const socket = t.connect(joined({ messages: chats(1, 3) }));
    socket.receiveRaw({ type: "poll", room: "lobby", seq: 4, question: "lunch?" });
    socket.receive(chat(5));
    expect(socket.sentOf("history")).toEqual([]);
    expect(t.chatSeqs()).toEqual([1, 2, 3, 5]);
    expect(t.snap().rooms[0]).toMatchObject({ latestSeq: 5 });
    socket.drop(1006);
    expect(t.connectHeld(joined({ latestSeq: 5 })).joinOf()?.since).toBe(5);
    t.client.flushStorage();
    const reloaded = setup({ tab });
    expect(reloaded.connectHeld(joined({ latestSeq: 5 })).joinOf()?.since).toBe(5);
  });

  it("after 4505 (the server speaks another protocol) it says so and never reconnects", () => {
    const t = setup();
    const socket = t.connect();
    socket.receive({ type: "error", code: "unsupported_protocol", message: "update the client" });
    socket.drop(4505);
    expect(t.snap().connection).toEqual({ status: "closed", reason: "outdated", lastCode: 4505 });
    expect(t.snap().alert).toMatchObject({ code: "unsupported_protocol" });
    t.clock.advance(600_000);
    t.wakeups.fire();
    t.client.retryNow();
    expect(t.sockets.sockets).toHaveLength(1);
  });

  it("sends nothing before hello, and no room frame before ready", () => {
    const t = setup({ name: "alice" });
    t.client.send("early");
    t.client.start();
    const socket = t.sockets.last;
    socket.open();
    expect(socket.sent).toEqual([{ type: "hello", protocol: 2, name: "alice" }]);
    socket.receive(ready());
    expect(socket.sent.map((frame) => frame.type)).toEqual(["hello", "join"]);
  });

  it("leaves a saved token or name the server would refuse out of hello, rather than be closed for a bad first frame", () => {
    const tab = memoryStore();
    tab.setItem("chatroom:tab", JSON.stringify({ session: "not a token!", name: "x".repeat(40) }));
    const t = setup({ tab });
    t.client.start();
    t.sockets.last.open();
    expect(t.sockets.last.hello).toEqual({ type: "hello", protocol: 2 });
  });

  it("switching rooms clears our typing indicator in the room left behind", () => {
    const t = threeRooms();
    t.client.noteTyping();
    t.client.openRoom("dev");
    expect(t.socket.sentOf("typing")).toEqual([
      { type: "typing", room: "lobby", active: true },
      { type: "typing", room: "lobby", active: false },
    ]);
  });

  it("a rename asked for offline goes out once a room is joined, and the room's renamed entry confirms it", () => {
    const t = setup({ name: "alice" });
    t.connect().drop(1006);
    t.client.setName("alicia");
    const socket = t.connectHeld(joined(), ready({ rooms: [membership("lobby", 0)] }));
    expect(socket.sentOf("rename")).toEqual([{ type: "rename", name: "alicia" }]);
    socket.receive({
      type: "system",
      room: "lobby",
      ts: 1,
      joined: [],
      left: [],
      renamed: [{ user: { ...alice, name: "alicia" }, previousName: "alice" }],
      memberCount: 1,
    });
    expect(t.snap().me?.name).toBe("alicia");
    socket.drop(1006);
    expect(t.connect(joined({ you: { ...alice, name: "alicia" } }), ready({ you: { ...alice, name: "alicia" } })).sentOf("rename")).toEqual(
      [],
    );
  });
});
