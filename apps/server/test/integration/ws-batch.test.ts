import { once } from "node:events";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { type ServerOptions, WebSocket, WebSocketServer } from "ws";
import { frameTexts, Sender, senderOf, writeBatch } from "../../src/plugins/chat-socket/ws-batch";
import { wsServerOptions } from "../../src/plugins/chat-socket/ws-server-options";

const servers: WebSocketServer[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    for (const client of server.clients) client.terminate();
    await new Promise((resolve) => server.close(resolve));
  }
});

/** A ws server that answers every connection with `send(socket)`, and a client that collects `count` messages. */
async function roundTrip(count: number, send: (socket: WebSocket) => void, options: ServerOptions = {}): Promise<string[]> {
  const server = new WebSocketServer({ port: 0, host: "127.0.0.1", perMessageDeflate: false, ...options });
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

  it("builds the wire bytes once and shares them between recipients", async () => {
    const batch: { frames: Buffer[]; wire?: Buffer } = { frames: [Buffer.from("a"), Buffer.from("bc")] };
    const wire = frameTexts(batch.frames);
    expect([...wire]).toEqual([0x81, 1, 0x61, 0x81, 2, 0x62, 0x63]);
    // Two recipients: the first builds `wire`, the second writes the very same buffer.
    const built: Array<Buffer | undefined> = [];
    const received = await roundTrip(4, (socket) => {
      expect(writeBatch(socket, batch)).toBe(true);
      built.push(batch.wire);
      expect(writeBatch(socket, batch)).toBe(true);
      built.push(batch.wire);
    });
    expect(received).toEqual(["a", "bc", "a", "bc"]);
    expect(built[0]).toEqual(wire);
    expect(built[1]).toBe(built[0]);
  });

  it("refuses when ws is busy, so the caller falls back to socket.send and order is kept", async () => {
    // Busy: with permessage-deflate negotiated, ws queues each send while it compresses, so a
    // pre-framed write would overtake "first". writeBatch refuses on such a socket.
    const compressed = await roundTrip(
      2,
      (socket) => {
        expect(socket.extensions).toContain("permessage-deflate");
        socket.send("first");
        expect(writeBatch(socket, { frames: [Buffer.from("x")] })).toBe(false);
        socket.send("second");
      },
      { perMessageDeflate: { threshold: 0 } },
    );
    expect(compressed).toEqual(["first", "second"]);
    // Idle: the pre-framed write goes out behind what ws.send wrote before it.
    const received = await roundTrip(2, (socket) => {
      socket.send("first");
      expect(writeBatch(socket, { frames: [Buffer.from("second")] })).toBe(true);
    });
    expect(received).toEqual(["first", "second"]);
  });

  it("takes the pre-framed path under the chat server's own ws options, even for a client that offers compression", async () => {
    const { maxPayload, perMessageDeflate } = wsServerOptions({ maxFrameBytes: 16 * 1024 });
    const received = await roundTrip(
      1,
      (socket) => {
        expect(socket.extensions).toBe("");
        expect(writeBatch(socket, { frames: [Buffer.from("pre-framed")] })).toBe(true);
      },
      { maxPayload, perMessageDeflate },
    );
    expect(received).toEqual(["pre-framed"]);
  });
});

/**
 * The ws surface writeBatch stands on, pinned: if a ws release renames, reshapes or stops
 * exporting any of it, these fail instead of the fan-out silently falling back to ws.send (or,
 * worse, writing frames out of order).
 */
describe("the ws internals ws-batch relies on", () => {
  const textFrame = { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true };

  it("ws exports Sender.frame(data, options), which frames an unmasked text message as [header, payload]", () => {
    expect(typeof Sender?.frame).toBe("function");
    expect(Sender.frame.length).toBe(2);
    const cases: Array<[number, number[]]> = [
      [5, [0x81, 5]],
      [300, [0x81, 126, 0x01, 0x2c]],
      [70_000, [0x81, 127, 0, 0, 0, 0, 0, 0x01, 0x11, 0x70]],
    ];
    for (const [length, header] of cases) {
      const payload = Buffer.alloc(length, 0x61);
      const parts = Sender.frame(payload, textFrame);
      expect(parts).toHaveLength(2);
      expect([...(parts[0] ?? [])]).toEqual(header);
      // The payload is referenced, not copied or masked: framing a batch costs one header per frame.
      expect(parts[1]).toBe(payload);
    }
  });

  it("a server socket's Sender has sendFrame(list, callback), and its writes keep their place among ws.send and ping", async () => {
    const big = "b".repeat(70_000);
    let sent: Promise<Error | null | undefined> | undefined;
    const received = await roundTrip(7, (socket) => {
      const sender = senderOf(socket);
      expect(typeof sender?.sendFrame).toBe("function");
      expect(sender?.sendFrame.length).toBe(2);
      socket.send("1");
      expect(writeBatch(socket, { frames: [Buffer.from("2"), Buffer.from("3")] })).toBe(true);
      socket.ping();
      socket.send(big);
      expect(writeBatch(socket, { frames: [Buffer.from("5")] })).toBe(true);
      sent = new Promise((resolve) => sender?.sendFrame(Sender.frame(Buffer.from("6"), textFrame), resolve));
      socket.send("7");
    });
    expect(received).toEqual(["1", "2", "3", big, "5", "6", "7"]);
    // ws calls back once the frame is handed to the TCP socket, without an error.
    expect((await sent) ?? null).toBeNull();
  });
});
