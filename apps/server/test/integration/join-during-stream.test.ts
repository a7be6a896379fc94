import { DEFAULT_LIMITS } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { MemoryMessageStore } from "../../src/backend/memory/message-store";
import { MemorySessionStore } from "../../src/backend/memory/session-store";
import { ResumingClient } from "../support/resuming-client";
import { startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const cleanup = useCleanup();
/** Two rooms streaming at once, every client holding both on its one connection. */
const ROOMS = ["stream-a", "stream-b"];
/** A resuming client of both rooms, disconnected after the test. */
const resuming = (name: string) => {
  const client = new ResumingClient({ name, rooms: ROOMS });
  cleanup.defer(() => client.disconnect());
  return client;
};

describe.each(["memory", "sqlite"])("joining while two rooms stream (%s)", (history) => {
  it("every connection sees every seq of each room from its joined on, once, in order", async () => {
    const dir = cleanup.tempDir();
    const server = cleanup.track(
      await startServer({ HISTORY: history, DATA_DIR: dir.path, RATE_PER_SECOND: "100000", RATE_BURST: "100000" }),
    );
    const url = server.wsUrl;
    const writers = ["w1", "w2"].map(resuming);
    for (const writer of writers) await writer.connect(url);

    // Each room stays below the joined frame's `since` window, so every joined here must be
    // complete: a room that outgrew it would owe joiners `after` pages, which is a different test.
    const cap = DEFAULT_LIMITS.welcomeSinceMax - 50;
    const sentIn = (room: string) => writers.reduce((sum, writer) => sum + writer.sent.filter((entry) => entry.room === room).length, 0);
    const sentSoFar = () => Math.max(...ROOMS.map(sentIn));
    let streaming = true;
    // Each round waits for the last one's acks, so the stream runs as long as the joiners come.
    const stream = (async () => {
      for (let i = 0; streaming && sentSoFar() < cap; i++) {
        for (const writer of writers) for (const room of ROOMS) writer.send(`msg ${i} in ${room}`, room);
        await waitUntil(() => writers.every((writer) => writer.pending === 0), { what: `round ${i}'s acks` });
      }
    })();
    const streamEnded = () => !streaming || sentSoFar() >= cap;

    // Joiners arrive while the stream runs; some reconnect mid-stream with since, once they have
    // seen the stream move on after their joined.
    const joiners: ResumingClient[] = [];
    for (let i = 0; i < 8; i++) {
      const joiner = resuming(`j${i}`);
      joiners.push(joiner);
      await joiner.connect(url);
      const joinedAt = ROOMS.map((room) => joiner.contiguousSeq(room));
      await waitUntil(() => ROOMS.every((room, r) => joiner.contiguousSeq(room) >= (joinedAt[r] ?? 0) + 10) || streamEnded(), {
        what: `${joiner.name} to see the stream`,
      });
      if (i % 2 === 1) {
        await joiner.disconnect();
        await joiner.connect(url);
      }
    }
    streaming = false;
    await stream;
    const everyone = [...writers, ...joiners];
    await waitUntil(() => everyone.every((client) => ROOMS.every((room) => client.contiguousSeq(room) === sentIn(room))), {
      what: "every client to hold every message",
    }).catch(() => undefined); // the expectations below say who is missing what

    for (const client of everyone) {
      expect(client.violations, client.name).toEqual([]);
      for (const room of ROOMS) expect(client.contiguousSeq(room), `${client.name} in ${room}`).toBe(sentIn(room));
      // Every joined of this client was complete: none needed a fill.
      expect(client.frames.filter((frame) => frame.type === "joined" && !frame.complete)).toEqual([]);
    }
    for (const room of ROOMS) {
      const reference = [...(writers[0]?.log(room).values() ?? [])].sort((a, b) => a.seq - b.seq);
      expect(reference.every((message) => message.room === room && message.text?.endsWith(`in ${room}`) === true)).toBe(true);
      for (const client of everyone) {
        for (const [seq, message] of client.log(room)) expect(message).toEqual(reference[seq - 1]);
      }
      expect(sentIn(room)).toBeGreaterThan(50);
    }
  });
});

/** A promise and the function that resolves it (Node 20 has no Promise.withResolvers). */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => {};
  const promise = new Promise<void>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

describe("frames pipelined behind hello and join", () => {
  it("wait for ready and for the room's joined, and are all answered after them", async () => {
    const server = cleanup.track(await startServer());
    const client = cleanup.track(await TestClient.connect(server.wsUrl));
    client.send({ type: "hello", protocol: 2, name: "eager" });
    client.send({ type: "ping", t: 1 });
    client.send({ type: "join", room: "lobby" });
    client.chat("lobby", "early bird", "early");
    client.send({ type: "ping", t: 2 });
    await client.waitForType("chat");
    await client.waitFor((frame) => frame.type === "pong" && frame.t === 2);
    expect(client.frames[0]?.type).toBe("ready");
    const types = client.frames.map((frame) => frame.type);
    expect(types.indexOf("joined")).toBeGreaterThan(0);
    expect(types.indexOf("ack")).toBeGreaterThan(types.indexOf("joined"));
    expect(types.indexOf("chat")).toBeGreaterThan(types.indexOf("joined"));
    // A ping is answered at once, a chat only after the store commits, so only pongs keep their order.
    expect(client.ofType("pong")).toEqual([
      { type: "pong", t: 1 },
      { type: "pong", t: 2 },
    ]);
    expect(client.ofType("ack")).toMatchObject([{ room: "lobby", clientMsgId: "early", seq: 1 }]);
    expect(client.ofType("chat")).toMatchObject([{ room: "lobby", clientMsgId: "early", text: "early bird" }]);
    expect(client.ofType("error")).toEqual([]);
  });
});

describe("frames sent while a slow store answers hello and join", () => {
  /**
   * Stores that answer late, as PostgreSQL does over the network: a session write or a history read
   * waits until the test has seen the early frames reach the server.
   */
  function slowBackend() {
    const gates = { session: deferred(), history: deferred() };
    const waiting = { session: 0, history: 0 };
    class SlowMessageStore extends MemoryMessageStore {
      // A fresh join reads the newest chats, a resuming one a range: both are the joined's history read.
      override async latestChats(...args: Parameters<MemoryMessageStore["latestChats"]>) {
        waiting.history++;
        await gates.history.promise;
        return super.latestChats(...args);
      }
      override async range(...args: Parameters<MemoryMessageStore["range"]>) {
        waiting.history++;
        await gates.history.promise;
        return super.range(...args);
      }
    }
    class SlowSessionStore extends MemorySessionStore {
      override async save(...args: Parameters<MemorySessionStore["save"]>) {
        waiting.session++;
        await gates.session.promise;
        return super.save(...args);
      }
    }
    class SlowBackend extends MemoryBackend {
      override readonly messages = new SlowMessageStore({ nodeId: "slow" });
      override readonly sessions = new SlowSessionStore();
    }
    return { backend: new SlowBackend({ nodeId: "slow" }), gates, waiting };
  }

  it("frames behind a hello still being answered wait for ready, even when the store answers late", async () => {
    const { backend, gates, waiting } = slowBackend();
    gates.history.resolve();
    const started = cleanup.track(await startServer({}, { backend }));
    const client = cleanup.track(await TestClient.connect(started.wsUrl));
    const framesIn = () => started.metric("chat_ws_messages_in_total");
    client.send({ type: "hello", protocol: 2, name: "eager" });
    await waitUntil(() => waiting.session === 1, { what: "the hello to wait on the store" });
    client.send({ type: "ping", t: 1 });
    client.send({ type: "join", room: "lobby" });
    client.chat("lobby", "early bird", "early");
    await waitUntil(async () => (await framesIn()) === 4, { what: "every early frame to arrive" });
    gates.session.resolve();
    await client.waitFor((frame) => frame.type === "chat");
    expect(client.frames[0]?.type).toBe("ready");
    expect(client.frames.map((frame) => frame.type).indexOf("joined")).toBeGreaterThan(0);
    expect(client.ofType("pong")).toEqual([{ type: "pong", t: 1 }]);
    expect(client.ofType("ack")).toMatchObject([{ room: "lobby", clientMsgId: "early", seq: 1 }]);
    expect(client.ofType("error")).toEqual([]);
  });

  it("frames naming a room whose join is in flight wait for its joined; frames that name no room do not", async () => {
    const { backend, gates, waiting } = slowBackend();
    gates.session.resolve();
    const started = cleanup.track(await startServer({}, { backend }));
    const client = cleanup.track(await TestClient.open(started.wsUrl, { name: "eager" }));
    const framesIn = () => started.metric("chat_ws_messages_in_total");
    client.send({ type: "join", room: "lobby" });
    await waitUntil(() => waiting.history === 1, { what: "the joined to wait on the store" });
    client.send({ type: "ping", t: 1 });
    client.chat("lobby", "early bird", "early");
    client.send({ type: "typing", room: "lobby", active: true });
    client.send({ type: "ping", t: 2 });
    // The pings are answered while the join still waits: they belong to no room.
    await client.waitFor((frame) => frame.type === "pong" && frame.t === 2);
    await waitUntil(async () => (await framesIn()) === 6, { what: "every early frame to arrive" });
    expect(client.ofType("joined")).toEqual([]);
    expect(client.ofType("ack")).toEqual([]);
    gates.history.resolve();
    await client.waitFor((frame) => frame.type === "chat");
    const types = client.frames.map((frame) => frame.type);
    expect(types.indexOf("joined")).toBeGreaterThan(types.indexOf("pong"));
    expect(types.indexOf("ack")).toBeGreaterThan(types.indexOf("joined"));
    expect(client.ofType("pong")).toEqual([
      { type: "pong", t: 1 },
      { type: "pong", t: 2 },
    ]);
    expect(client.ofType("ack")).toMatchObject([{ room: "lobby", clientMsgId: "early", seq: 1 }]);
    expect(client.ofType("error")).toEqual([]);
  });
});
