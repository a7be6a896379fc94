import { describe, expect, it } from "vitest";
import { ChatClient } from "../src/chat-client";
import { ClientStorage, memoryStore } from "../src/persistence/storage";
import { alice, bob, carol, chat, chats, FakeClock, joined, ready, socketFactory } from "./support/fakes";

function connected() {
  const clock = new FakeClock();
  const sockets = socketFactory();
  const client = new ChatClient({
    endpoint: "ws://test/ws",
    name: "alice",
    storage: new ClientStorage(memoryStore(), memoryStore()),
    createSocket: sockets.create,
    timers: clock,
  });
  client.start();
  const socket = sockets.last;
  socket.open();
  socket.receive(ready());
  socket.receive(joined({ messages: chats(1, 3), members: [alice, bob] }));
  return { clock, client, socket, snap: () => client.getSnapshot() };
}

describe("ChatClient snapshot: slices are cached apart", () => {
  it("a chat frame makes a new snapshot and log, but keeps the members, outbox and typing arrays", () => {
    const t = connected();
    t.client.send("waiting for its ack");
    const before = t.snap();
    t.socket.receive(chat(4, bob));
    const after = t.snap();
    expect(after).not.toBe(before);
    expect(after.items).not.toBe(before.items);
    expect(after.items.length).toBe(before.items.length + 1);
    expect(after.members).toBe(before.members);
    expect(after.outbox).toBe(before.outbox);
    expect(after.typing).toBe(before.typing);
    // The chat is unread, so the room's line changed.
    expect(after.rooms).not.toBe(before.rooms);
    expect(after.rooms).toEqual([
      { room: "lobby", unread: 1, unreadMentions: 0, notify: "mentions", readSeq: 3, latestSeq: 4, unsent: 1, status: "joined" },
    ]);
  });

  it("a frame of another room rebuilds the room list only; a typing frame keeps the room list and the log", () => {
    const t = connected();
    t.client.openRoom("dev");
    t.socket.receive(joined({ room: "dev", messages: chats(1, 2, bob, "dev") }));
    t.client.openRoom("lobby");
    const before = t.snap();
    t.socket.receive(chat(3, bob, "in dev", "d3", "dev"));
    const after = t.snap();
    expect(after.items).toBe(before.items);
    expect(after.members).toBe(before.members);
    expect(after.outbox).toBe(before.outbox);
    expect(after.rooms).not.toBe(before.rooms);
    // Only the line that changed is a new object.
    expect(after.rooms[1]).toBe(before.rooms[1]);
    expect(after.rooms[0]).toMatchObject({ room: "dev", unread: 1, latestSeq: 3 });
    t.socket.receive({ type: "typing", room: "lobby", user: bob, active: true });
    const typing = t.snap();
    expect(typing.typing).toEqual([bob]);
    expect(typing.rooms).toBe(after.rooms);
    expect(typing.items).toBe(after.items);
  });

  it("a system frame rebuilds the members but keeps the outbox; an ack rebuilds the outbox but keeps the members", () => {
    const t = connected();
    t.client.send("hello");
    const id = t.snap().outbox[0]?.clientMsgId ?? "";
    const before = t.snap();
    t.socket.receive({ type: "system", room: "lobby", ts: 1, joined: [carol], left: [], renamed: [], memberCount: 3 });
    const joined = t.snap();
    expect(joined.members).not.toBe(before.members);
    expect(joined.members).toEqual([alice, bob, carol]);
    expect(joined.outbox).toBe(before.outbox);
    t.socket.receive({ type: "ack", room: "lobby", clientMsgId: id, seq: 4, ts: 2 });
    const acked = t.snap();
    expect(acked.outbox).not.toBe(joined.outbox);
    expect(acked.outbox[0]?.status).toBe("sent");
    expect(acked.members).toBe(joined.members);
  });
});
