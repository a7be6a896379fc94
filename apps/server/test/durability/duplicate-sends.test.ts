import { describe, expect, it } from "vitest";
import { startServer } from "../support/start-server";
import { type JoinOptions, onlyChats, TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();

async function join(wsUrl: string, options: JoinOptions) {
  return cleanup.track(await TestClient.join(wsUrl, options));
}

describe("duplicate sends", () => {
  it.each(["memory", "sqlite"])("an id reused in another room gets the old ack and changes nothing in that room (%s)", async (history) => {
    const env: Record<string, string> =
      history === "sqlite" ? { HISTORY: "sqlite", DATA_DIR: cleanup.tempDir("chatroom-dup-rooms-").path } : { HISTORY: "memory" };
    const server = cleanup.track(await startServer(env));
    const sender = await join(server.wsUrl, { room: "a", name: "sender" });
    sender.chat("a", "in a", "shared");
    const inA = await sender.waitForType("ack");
    await sender.close();

    // Room b already has a message with the seq the room-a original holds.
    const watcher = await join(server.wsUrl, { room: "b", name: "watcher" });
    const resumed = await join(server.wsUrl, { room: "b", session: sender.ready.session });
    resumed.chat("b", "in b", "shared");
    // The old ack, room and all: the message it names is room a's.
    expect(inA).toMatchObject({ room: "a", clientMsgId: "shared", seq: 1 });
    expect(await resumed.waitForType("ack")).toEqual(inA);
    resumed.chat("b", "first of b", "b-1");
    await watcher.waitFor((f) => f.type === "chat" && f.clientMsgId === "b-1");
    expect(watcher.ofType("chat").map((chat) => [chat.seq, chat.text])).toEqual([[1, "first of b"]]);
  });

  it.each(["memory", "sqlite"])(
    "one connection in two rooms: an id reused in the other room gets the old ack and stores nothing there (%s)",
    async (history) => {
      const env: Record<string, string> =
        history === "sqlite" ? { HISTORY: "sqlite", DATA_DIR: cleanup.tempDir("chatroom-dup-rooms-").path } : { HISTORY: "memory" };
      const server = cleanup.track(await startServer(env));
      const sender = await join(server.wsUrl, { room: "a", name: "sender" });
      await sender.join("b");
      const watcher = await join(server.wsUrl, { room: "b", name: "watcher" });
      sender.chat("a", "in a", "shared");
      const inA = await sender.waitFor((f) => f.type === "ack" && f.clientMsgId === "shared");
      expect(inA).toMatchObject({ room: "a", seq: 1 });
      const from = sender.frames.length;
      sender.chat("b", "in b", "shared");
      expect(await sender.waitFor((f) => f.type === "ack", { from })).toEqual(inA);
      sender.chat("b", "first of b", "b-1");
      await watcher.waitFor((f) => f.type === "chat" && f.clientMsgId === "b-1");
      await sender.waitFor((f) => f.type === "chat" && f.clientMsgId === "b-1");
      expect(watcher.ofType("chat").map((chat) => [chat.room, chat.seq, chat.text])).toEqual([["b", 1, "first of b"]]);
      expect(sender.chatFrames("b").map((chat) => [chat.seq, chat.text])).toEqual([[1, "first of b"]]);
      expect(sender.chatFrames("a").map((chat) => [chat.seq, chat.text])).toEqual([[1, "in a"]]);
      expect(await server.app.backend.messages.latestSeq("b")).toBe(1);
    },
  );

  it("the same clientMsgId sent 3 times across a reconnect is stored once, broadcast once, acked 3 times with one seq", async () => {
    const server = cleanup.track(await startServer({ HISTORY: "sqlite", DATA_DIR: cleanup.tempDir("chatroom-dup-").path }));
    const room = "dupes";
    const watcher = await join(server.wsUrl, { room, name: "watcher" });
    const sender = await join(server.wsUrl, { room, name: "sender" });
    const frame = { type: "chat", room, text: "only once", clientMsgId: "dup-1" } as const;

    sender.send(frame);
    sender.send(frame);
    const [first, second] = await sender.waitForCount("ack", 2);
    await sender.close();

    const again = await join(server.wsUrl, { room, session: sender.ready.session, since: first?.seq ?? 0 });
    again.send(frame);
    const third = await again.waitForType("ack");

    expect(first).toMatchObject({ room, clientMsgId: "dup-1", seq: 1 });
    expect(second).toEqual(first);
    expect(third).toEqual(first);

    // A later message proves the watcher has seen everything the duplicates could have caused.
    again.chat(room, "next", "dup-2");
    await watcher.waitFor((f) => f.type === "chat" && f.clientMsgId === "dup-2");
    await again.waitFor((f) => f.type === "chat" && f.clientMsgId === "dup-2");
    expect(watcher.ofType("chat").map((chat) => [chat.seq, chat.clientMsgId])).toEqual([
      [1, "dup-1"],
      [2, "dup-2"],
    ]);
    expect(sender.ofType("chat").filter((chat) => chat.clientMsgId === "dup-1")).toHaveLength(1);
    expect(again.ofType("chat").map((chat) => chat.clientMsgId)).toEqual(["dup-2"]);

    const reader = await join(server.wsUrl, { room, since: 0 });
    expect(onlyChats(reader.joined.messages).map((message) => message.clientMsgId)).toEqual(["dup-1", "dup-2"]);
  });

  it("dedupe survives a kill -9 of the server, in each of three rooms on one connection: every resend gets its original ack", async () => {
    const env = await cleanup.serverEnv();
    const first = await cleanup.spawnServer(env);
    const rooms = ["dupes-a", "dupes-b", "dupes-c"];
    const sender = await join(first.wsUrl, { room: rooms[0], name: "sender" });
    for (const room of rooms.slice(1)) await sender.join(room);
    for (const room of rooms) sender.chat(room, `survives in ${room}`, `kill-${room}`);
    const acks = await sender.waitForCount("ack", rooms.length);
    expect(acks.map((ack) => [ack.room, ack.clientMsgId, ack.seq]).sort()).toEqual(rooms.map((room) => [room, `kill-${room}`, 1]));
    await first.kill("SIGKILL");
    await sender.closed;

    const second = await cleanup.spawnServer(env);
    const again = cleanup.track(await TestClient.open(second.wsUrl, { session: sender.ready.session }));
    expect(again.ready.you).toEqual(sender.ready.you);
    expect(again.ready.rooms.map((entry) => entry.room)).toEqual(rooms);
    for (const room of rooms) {
      const joined = await again.join(room, { since: 0 });
      expect(joined.you).toEqual(sender.joined.you);
      expect(onlyChats(joined.messages).map((message) => [message.seq, message.clientMsgId])).toEqual([[1, `kill-${room}`]]);
    }
    const watcher = await join(second.wsUrl, { room: rooms[1], name: "watcher" });
    for (const room of rooms) {
      const from = again.frames.length;
      again.chat(room, `survives in ${room}`, `kill-${room}`);
      const original = acks.find((ack) => ack.room === room);
      expect(await again.waitFor((frame) => frame.type === "ack", { from })).toEqual(original);
    }
    for (const room of rooms) again.chat(room, `fresh in ${room}`, `fresh-${room}`);
    const fresh = await watcher.waitForType("chat");
    expect(fresh).toMatchObject({ room: rooms[1], seq: 2, clientMsgId: `fresh-${rooms[1]}` });
    await again.waitForCount("chat", rooms.length);
    expect(
      again
        .ofType("chat")
        .map((chat) => [chat.room, chat.seq])
        .sort(),
    ).toEqual(rooms.map((room) => [room, 2]));
    expect(watcher.ofType("chat")).toHaveLength(1);
    // A hang bound, not a speed target: two server processes start here, each given 20 s to
    // answer /healthz (server-process.ts), which the default 30 s could not hold; 22.6 s in CI run 75.
  }, 60_000);
});
