import { DEFAULT_LIMITS } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { MemoryMessageStore } from "../../src/backend/memory/message-store";
import { ResumingClient } from "../support/resuming-client";
import { startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const cleanup = useCleanup();
/** A resuming client disconnected after the test. */
const resuming = (name: string) => {
  const client = new ResumingClient({ name, room: "stream" });
  cleanup.defer(() => client.disconnect());
  return client;
};

describe.each(["memory", "sqlite"])("joining while a room streams (%s)", (history) => {
  it("every connection sees every seq from its welcome on, once, in order", async () => {
    const dir = cleanup.tempDir();
    const server = cleanup.track(
      await startServer({ HISTORY: history, DATA_DIR: dir.path, RATE_PER_SECOND: "100000", RATE_BURST: "100000" }),
    );
    const url = server.wsUrl;
    const writers = ["w1", "w2"].map(resuming);
    for (const writer of writers) await writer.connect(url);

    // The room stays below the welcome's `since` window, so every welcome here must be complete:
    // a room that outgrew it would owe joiners a history page, which is a different test.
    const cap = DEFAULT_LIMITS.welcomeSinceMax - 50;
    const sentSoFar = () => writers.reduce((sum, writer) => sum + writer.sent.length, 0);
    let streaming = true;
    // Each round waits for the last one's acks, so the stream runs as long as the joiners come.
    const stream = (async () => {
      for (let i = 0; streaming && sentSoFar() < cap; i++) {
        for (const writer of writers) writer.send(`msg ${i}`);
        await waitUntil(() => writers.every((writer) => writer.pending === 0), { what: `round ${i}'s acks` });
      }
    })();
    const streamEnded = () => !streaming || sentSoFar() >= cap;

    // Joiners arrive while the stream runs; some reconnect mid-stream with since, once they have
    // seen the stream move on after their welcome.
    const joiners: ResumingClient[] = [];
    for (let i = 0; i < 8; i++) {
      const joiner = resuming(`j${i}`);
      joiners.push(joiner);
      await joiner.connect(url);
      const welcomedAt = joiner.contiguousSeq;
      await waitUntil(() => joiner.contiguousSeq >= welcomedAt + 10 || streamEnded(), { what: `${joiner.name} to see the stream` });
      if (i % 2 === 1) {
        await joiner.disconnect();
        await joiner.connect(url);
      }
    }
    streaming = false;
    await stream;
    const everyone = [...writers, ...joiners];
    const sent = sentSoFar();
    await waitUntil(() => everyone.every((client) => client.contiguousSeq === sent), {
      what: "every client to hold every message",
    }).catch(() => undefined); // the expectations below say who is missing what

    for (const client of everyone) {
      expect(client.violations, client.name).toEqual([]);
      expect(client.contiguousSeq, client.name).toBe(sent);
    }
    const reference = [...(writers[0]?.log.values() ?? [])].sort((a, b) => a.seq - b.seq);
    for (const client of everyone) {
      for (const [seq, message] of client.log) expect(message).toEqual(reference[seq - 1]);
    }
    expect(sent).toBeGreaterThan(50);
  });
});

describe("frames sent before the welcome", () => {
  it("wait for it and are all answered after it", async () => {
    const server = cleanup.track(await startServer());
    const client = await TestClient.connect(server.wsUrl, { query: { name: "eager" } });
    client.send({ type: "ping", t: 1 });
    client.send({ type: "chat", text: "early bird", clientMsgId: "early" });
    client.send({ type: "ping", t: 2 });
    await client.waitForType("chat");
    await client.waitFor((frame) => frame.type === "pong" && frame.t === 2);
    expect(client.frames[0]?.type).toBe("welcome");
    // A ping is answered at once, a chat only after the store commits, so only pongs keep their order.
    expect(client.ofType("pong")).toEqual([
      { type: "pong", t: 1 },
      { type: "pong", t: 2 },
    ]);
    expect(client.ofType("ack")).toMatchObject([{ clientMsgId: "early", seq: 1 }]);
    expect(client.ofType("chat")).toMatchObject([{ clientMsgId: "early", text: "early bird" }]);
    await client.close();
  });
});

describe("frames sent while a slow store builds the welcome", () => {
  it("are held until after the welcome, even when the store answers late", async () => {
    // A store that answers late, as Redis does over the network: the welcome's history read
    // waits until the test has seen every early frame reach the server.
    let answer: () => void = () => {};
    const answered = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let waiting = 0;
    class SlowMessageStore extends MemoryMessageStore {
      override async range(...args: Parameters<MemoryMessageStore["range"]>) {
        waiting++;
        await answered;
        return super.range(...args);
      }
    }
    class SlowBackend extends MemoryBackend {
      override readonly messages = new SlowMessageStore({ nodeId: "slow" });
    }
    const started = cleanup.track(await startServer({}, { backend: new SlowBackend({ nodeId: "slow" }) }));
    const client = await TestClient.connect(started.wsUrl, { query: { name: "eager" } });
    await waitUntil(() => waiting === 1, { what: "the welcome to wait on the store" });
    client.send({ type: "ping", t: 1 });
    await waitUntil(async () => (await started.metric("chat_ws_messages_in_total")) === 1, { what: "the first ping to arrive" });
    client.send({ type: "ping", t: 2 });
    client.send({ type: "chat", text: "early bird", clientMsgId: "early" });
    await waitUntil(async () => (await started.metric("chat_ws_messages_in_total")) === 3, { what: "every early frame to arrive" });
    answer();
    await client.waitFor((frame) => frame.type === "chat");
    expect(client.frames[0]?.type).toBe("welcome");
    expect(client.ofType("pong")).toEqual([
      { type: "pong", t: 1 },
      { type: "pong", t: 2 },
    ]);
    expect(client.ofType("ack")).toMatchObject([{ clientMsgId: "early", seq: 1 }]);
    await client.close();
  });
});
