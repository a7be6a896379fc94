import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { WebSocket, WebSocketServer } from "ws";
import { frameTexts, writeBatch } from "../../src/plugins/ws-batch";

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A ws server that answers every connection with `send(socket)`, and a client that collects `count` messages. */
async function roundTrip(count: number, send: (socket: WebSocket) => void): Promise<string[]> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false });
  servers.push(server);
  await once(server, "listening");
  server.on("connection", send);
  const client = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}`);
  const received: string[] = [];
  await new Promise<void>((resolve, reject) => {
    client.on("message", (data, isBinary) => {
      expect(isBinary).toBe(false);
      received.push(data.toString());
      if (received.length === count) resolve();
    });
    client.on("error", reject);
  });
  client.close();
  return received;
}

describe("writeBatch", () => {
  it("delivers a batch as separate text messages, in order, for every header size", async () => {
    const texts = ["short", "m".repeat(300), "l".repeat(70_000), '{"type":"chat","text":"héllo 🌍"}'];
    const frames = texts.map((text) => Buffer.from(text));
    const received = await roundTrip(texts.length, (socket) => {
      expect(writeBatch(socket, { frames })).toBe(true);
    });
    expect(received).toEqual(texts);
  });

  it("builds the wire bytes once and shares them between recipients", () => {
    const batch: { frames: Buffer[]; wire?: Buffer } = { frames: [Buffer.from("a"), Buffer.from("bc")] };
    const wire = frameTexts(batch.frames);
    expect([...wire]).toEqual([0x81, 1, 0x61, 0x81, 2, 0x62, 0x63]);
  });

  it("refuses when ws is busy, so the caller falls back to socket.send and order is kept", async () => {
    const received = await roundTrip(2, (socket) => {
      const internals = socket as unknown as { _sender: { _state: number } };
      const state = internals._sender._state;
      internals._sender._state = 1;
      expect(writeBatch(socket, { frames: [Buffer.from("x")] })).toBe(false);
      internals._sender._state = state;
      socket.send("first");
      expect(writeBatch(socket, { frames: [Buffer.from("second")] })).toBe(true);
    });
    expect(received).toEqual(["first", "second"]);
  });
});
