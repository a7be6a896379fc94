import type { ChatFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

/** Seqs of one room's chats as this client saw them, in arrival order. */
function seqsIn(client: TestClient, room: string): number[] {
  return client.chatFrames(room).map((chat: ChatFrame) => chat.seq);
}

describe("one connection, many rooms", () => {
  const fixture = useTestServer();

  it("two rooms on one connection, interleaved, are each gap-free in their own seq", async () => {
    const server = await fixture.start();
    const reader = await TestClient.open(server.wsUrl, { name: "reader" });
    const writer = await TestClient.open(server.wsUrl, { name: "writer" });
    fixture.track(reader, writer);
    await reader.join("alpha");
    await reader.join("beta");
    await writer.join("alpha");
    await writer.join("beta");
    for (let i = 1; i <= 10; i++) {
      writer.chat(i % 2 === 0 ? "alpha" : "beta", `m${i}`, `c${i}`);
      writer.chat(i % 2 === 0 ? "beta" : "alpha", `n${i}`, `d${i}`);
    }
    await writer.waitForCount("ack", 20);
    await reader.waitFor(() => reader.chatFrames().length === 20);
    expect(seqsIn(reader, "alpha")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(seqsIn(reader, "beta")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    for (const chat of reader.chatFrames()) expect(chat.room === "alpha" || chat.room === "beta").toBe(true);
    // Acks name their room, and each room's acks count up on their own.
    const acks = writer.ofType("ack");
    expect(acks.filter((ack) => ack.room === "alpha").map((ack) => ack.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(acks.filter((ack) => ack.room === "beta").map((ack) => ack.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(reader.invalid).toEqual([]);
    expect(writer.invalid).toEqual([]);
  });

  it("a pipelined hello, join and chat, sent before any answer, is answered in order", async () => {
    const server = await fixture.start();
    const client = await TestClient.connect(server.wsUrl);
    fixture.track(client);
    client.send({ type: "hello", protocol: 2, name: "eager" });
    client.send({ type: "join", room: "fast" });
    client.chat("fast", "hello at once", "eager-1");
    client.send({ type: "join", room: "second" });
    client.chat("second", "and here", "eager-2");
    const ack2 = await client.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === "eager-2");
    expect(client.frames.map((frame) => frame.type).slice(0, 2)).toEqual(["ready", "joined"]);
    const order = client.frames
      .filter((frame) => frame.type !== "system")
      .map((frame) => `${frame.type}:${"room" in frame ? frame.room : ""}`);
    expect(order.indexOf("joined:fast")).toBeLessThan(order.indexOf("ack:fast"));
    expect(order.indexOf("joined:second")).toBeLessThan(order.indexOf("ack:second"));
    expect(ack2).toMatchObject({ room: "second", seq: 1 });
    const chatFast = await client.waitFor((frame) => frame.type === "chat" && frame.room === "fast");
    expect(chatFast).toMatchObject({ room: "fast", seq: 1, text: "hello at once" });
  });
});
