import { connect } from "node:net";
import { CLOSE_CODES } from "@chatroom/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MAX_FRAGMENTS } from "../../src/plugins/chat-socket";
import { type StartedServer, startServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { type Bystander, expectBystanderUnharmed, joinBystander } from "./support/bystander";
import { frame, handshake, OPCODE, RawSocket } from "./support/raw-socket";

const ROOM = "framing";

describe("hostile framing", () => {
  let server: StartedServer;
  let bystander: Bystander;

  beforeEach(async () => {
    server = await startServer();
    bystander = await joinBystander(server.wsUrl, ROOM);
  });
  afterEach(async () => {
    await bystander?.close();
    await server.close();
  });

  async function attacker(): Promise<RawSocket> {
    return RawSocket.joined(server.port, ROOM);
  }

  it("an oversized frame is closed with 1009", async () => {
    const client = await TestClient.join(server.wsUrl, { room: ROOM });
    client.sendRaw(JSON.stringify({ type: "chat", room: ROOM, text: "x".repeat(server.config.limits.maxFrameBytes), clientMsgId: "big" }));
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.frameTooLarge.code);
    expect(client.ofType("ack")).toEqual([]);
    await expectBystanderUnharmed(bystander);
  });

  it("an oversized frame is refused from its header, before its payload arrives", async () => {
    const raw = await attacker();
    // Announce 100 MiB and send only the header: ws must refuse on the length alone.
    const header = Buffer.from([0x81, 0xff, 0, 0, 0, 0, 0x06, 0x40, 0, 0, 1, 2, 3, 4]);
    await raw.write(header);
    expect(await raw.waitForEnd()).toBe(CLOSE_CODES.frameTooLarge.code);
    await expectBystanderUnharmed(bystander);
  });

  it("a binary frame is closed with 1003", async () => {
    const client = await TestClient.join(server.wsUrl, { room: ROOM });
    client.sendRaw(Buffer.from(JSON.stringify({ type: "ping" })), { binary: true });
    expect((await client.waitForClose()).code).toBe(CLOSE_CODES.binaryFrame.code);
    await expectBystanderUnharmed(bystander);
  });

  it("invalid UTF-8 in a text frame is closed with 1007", async () => {
    const raw = await attacker();
    const payload = Buffer.concat([
      Buffer.from(`{"type":"chat","room":"${ROOM}","text":"`),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe]),
      Buffer.from('","clientMsgId":"u"}'),
    ]);
    await raw.write(frame({ opcode: OPCODE.text, payload }));
    expect(await raw.waitForEnd()).toBe(1007);
    await expectBystanderUnharmed(bystander);
  });

  it("malformed frames (unmasked, reserved bits, unknown opcode, fragmented control) are closed with 1002", async () => {
    const cases = [
      frame({ opcode: OPCODE.text, payload: '{"type":"ping"}', mask: false }),
      frame({ opcode: OPCODE.text, payload: '{"type":"ping"}', rsv: 4 }),
      frame({ opcode: 0x3, payload: "?" }),
      frame({ opcode: OPCODE.ping, payload: "p", fin: false }),
      frame({ opcode: OPCODE.continuation, payload: "orphan" }),
    ];
    for (const bytes of cases) {
      const raw = await attacker();
      await raw.write(bytes);
      expect(await raw.waitForEnd()).toBe(1002);
    }
    await expectBystanderUnharmed(bystander);
  });

  it(`a fragment flood (FIN=0 then thousands of continuations) is cut after ${MAX_FRAGMENTS} fragments with 1008`, async () => {
    const raw = await attacker();
    const flood = [frame({ opcode: OPCODE.text, payload: "{", fin: false })];
    for (let i = 0; i < 5_000; i++) flood.push(frame({ opcode: OPCODE.continuation, payload: " ", fin: false }));
    await raw.write(Buffer.concat(flood));
    expect(await raw.waitForEnd()).toBe(1008);
    await expectBystanderUnharmed(bystander);
  });

  it("fragments that add up past maxPayload are closed with 1009, however few", async () => {
    const raw = await attacker();
    const chunk = "x".repeat(4_096);
    const flood = [frame({ opcode: OPCODE.text, payload: chunk, fin: false })];
    for (let i = 0; i < 8; i++) flood.push(frame({ opcode: OPCODE.continuation, payload: chunk, fin: false }));
    await raw.write(Buffer.concat(flood));
    expect(await raw.waitForEnd()).toBe(CLOSE_CODES.frameTooLarge.code);
    await expectBystanderUnharmed(bystander);
  });

  it("a fragmented message within the limits is reassembled and accepted", async () => {
    const raw = await attacker();
    const text = JSON.stringify({ type: "chat", room: ROOM, text: "in three parts", clientMsgId: "frag-ok" });
    await raw.write(
      Buffer.concat([
        frame({ opcode: OPCODE.text, payload: text.slice(0, 10), fin: false }),
        frame({ opcode: OPCODE.continuation, payload: text.slice(10, 20), fin: false }),
        frame({ opcode: OPCODE.continuation, payload: text.slice(20) }),
      ]),
    );
    await raw.waitForText((f) => f.type === "ack" && f.room === ROOM && f.clientMsgId === "frag-ok");
    raw.destroy();
    await expectBystanderUnharmed(bystander);
  });

  it("a room frame before hello gets bad_request and 4501, and reaches no one", async () => {
    const raw = await RawSocket.open(server.port);
    await raw.sendJson({ type: "chat", room: ROOM, text: "let me in", clientMsgId: "sneak" });
    expect(await raw.waitForEnd()).toBe(CLOSE_CODES.badRequest.code);
    expect(raw.json()).toMatchObject([{ type: "error", code: "bad_request" }]);
    expect(await server.app.backend.messages.latestSeq(ROOM)).toBe(0);
    await expectBystanderUnharmed(bystander);
  });

  it("a fragment flood before hello is cut with 1008 all the same", async () => {
    const raw = await RawSocket.open(server.port);
    const flood = [frame({ opcode: OPCODE.text, payload: "{", fin: false })];
    for (let i = 0; i < 5_000; i++) flood.push(frame({ opcode: OPCODE.continuation, payload: " ", fin: false }));
    await raw.write(Buffer.concat(flood));
    expect(await raw.waitForEnd()).toBe(1008);
    await expectBystanderUnharmed(bystander);
  });

  it("2,000 headers on the upgrade are refused and the server keeps serving (CVE-2024-37890)", async () => {
    // Short headers stay under Node's 16 KiB header limit, so only the count is hostile: past
    // maxHeadersCount (2000) Node drops the rest, including the Sec-WebSocket-* ones after them.
    const filler = Array.from({ length: 2_000 }, (_, i) => `x${i}: 1`);
    for (const headers of [filler, filler.map((h) => `${h}${"y".repeat(10)}`)]) {
      const socket = connect(server.port, "127.0.0.1");
      socket.on("error", () => {});
      await new Promise((resolve) => socket.once("connect", resolve));
      const response = await handshake(socket, server.port, "", headers);
      expect(response.head).toMatch(/^HTTP\/1\.1 4\d\d /);
      socket.destroy();
    }
    await expectBystanderUnharmed(bystander);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});
