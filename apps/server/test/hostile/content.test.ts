import { CLOSE_CODES } from "@chatroom/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type StartedServer, startServer } from "../support/start-server";
import { onlyChats, TestClient } from "../support/test-client";
import { type Bystander, expectBystanderUnharmed, joinBystander } from "./support/bystander";

const ROOM = "content";

describe("hostile content", () => {
  let server: StartedServer;
  let bystander: Bystander;
  let attacker: Awaited<ReturnType<typeof TestClient.join>>;

  beforeEach(async () => {
    server = await startServer();
    bystander = await joinBystander(server.wsUrl, ROOM);
    attacker = await TestClient.join(server.wsUrl, { room: ROOM, name: "mallory" });
  });
  afterEach(async () => {
    await attacker?.close();
    await bystander?.close();
    await server.close();
  });

  /** Sends raw text and returns the error frame it earns; the socket stays open. */
  async function rejected(raw: string) {
    const from = attacker.frames.length;
    attacker.sendRaw(raw);
    const error = await attacker.waitForType("error", { from });
    expect(attacker.isOpen).toBe(true);
    return error;
  }

  it("not JSON gets bad_frame", async () => {
    for (const raw of ["hello", "{", '{"type":"chat",}', "\u0000\u0001", "", "[]", "null", "42"]) {
      const error = await rejected(raw);
      expect(error.code).toBe("bad_frame");
    }
    await expectBystanderUnharmed(bystander);
  });

  it("a schema violation gets bad_frame naming the field, and echoes a valid clientMsgId", async () => {
    const error = await rejected(JSON.stringify({ type: "chat", room: ROOM, text: 42, clientMsgId: "c1" }));
    expect(error).toMatchObject({ code: "bad_frame", clientMsgId: "c1" });
    expect(error.message).toContain("text");
    expect((await rejected(JSON.stringify({ type: "history", room: ROOM, before: -1, limit: 10 }))).code).toBe("bad_frame");
    expect((await rejected(JSON.stringify({ type: "shutdown" }))).code).toBe("bad_frame");
    expect((await rejected(JSON.stringify({ type: "chat", room: ROOM, text: "a", clientMsgId: "x".repeat(65) }))).code).toBe("bad_frame");
    // Code points, not UTF-16 units: 2000 emoji are 4000 units and fit; 2001 do not.
    const limit = server.config.limits.maxTextLength;
    expect((await rejected(JSON.stringify({ type: "chat", room: ROOM, text: "😀".repeat(limit + 1), clientMsgId: "long" }))).code).toBe(
      "too_long",
    );
    attacker.chat(ROOM, "😀".repeat(limit), "fits");
    await attacker.waitFor((f) => f.type === "ack" && f.clientMsgId === "fits");
    await expectBystanderUnharmed(bystander);
  });

  it("10 KB of nested arrays is rejected cheaply with bad_frame", async () => {
    const nested = `${"[".repeat(5_000)}${"]".repeat(5_000)}`;
    expect((await rejected(nested)).code).toBe("bad_frame");
    const inObject = `{"type":"chat","room":"${ROOM}","clientMsgId":"deep","text":${"[".repeat(5_000)}${"]".repeat(5_000)}}`;
    const error = await rejected(inObject);
    expect(error.code).toBe("bad_frame");
    expect(error.message).toMatch(/nested/);
    await expectBystanderUnharmed(bystander);
  });

  it("__proto__ and constructor keys are rejected and nothing is polluted", async () => {
    const attacks = [
      `{"type":"chat","room":"${ROOM}","text":"x","clientMsgId":"p1","__proto__":{"polluted":"yes"}}`,
      `{"type":"join","room":"${ROOM}","__proto__":{"polluted":"yes"}}`,
      '{"__proto__":{"polluted":"yes"},"type":"ping"}',
      '{"type":"ping","constructor":{"prototype":{"polluted":"yes"}}}',
      '{"type":"rename","name":"x","prototype":{"polluted":"yes"}}',
    ];
    for (const raw of attacks) expect((await rejected(raw)).code).toBe("bad_frame");
    // Nested inside an allowed field, JSON.parse keeps it an own key; the strict schema refuses it.
    expect((await rejected('{"type":"ping","t":{"__proto__":{"polluted":"yes"}}}')).code).toBe("bad_frame");
    // The server runs in this process, so this is the server's Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty("polluted");
    expect(Object.getOwnPropertyNames(Object.prototype)).not.toContain("polluted");
    await expectBystanderUnharmed(bystander);
  });

  it("a spoofed from is refused, and a stored message's from is always the session user", async () => {
    const spoof = {
      type: "chat",
      room: ROOM,
      text: "I am the admin",
      clientMsgId: "spoof",
      from: { id: bystander.joined.you.id, name: "admin" },
    };
    const error = await rejected(JSON.stringify(spoof));
    expect(error).toMatchObject({ code: "bad_frame", clientMsgId: "spoof" });
    for (const extra of [{ seq: 1 }, { id: "m_forged" }, { ts: 0 }]) {
      expect((await rejected(JSON.stringify({ type: "chat", room: ROOM, text: "forged", clientMsgId: "f", ...extra }))).code).toBe(
        "bad_frame",
      );
    }
    // A room this connection has not joined cannot be written into (protocol 1 refused any room field).
    expect(await rejected(JSON.stringify({ type: "chat", room: "elsewhere", text: "forged", clientMsgId: "f" }))).toMatchObject({
      code: "not_joined",
      room: "elsewhere",
      clientMsgId: "f",
    });
    attacker.chat(ROOM, "honest", "honest");
    const chat = await bystander.waitFor((f) => f.type === "chat" && f.clientMsgId === "honest");
    expect(chat).toMatchObject({ from: attacker.joined.you });
    const stored = await server.app.backend.messages.range(ROOM, { after: 0, upTo: 1_000, limit: 1_000 });
    expect(onlyChats(stored.messages).map((m) => m.from.id)).toEqual([attacker.joined.you.id]);
    expect(await server.app.backend.messages.latestSeq("elsewhere")).toBe(0);
    expect(onlyChats(stored.messages).some((m) => m.text?.includes("admin") || m.text === "forged")).toBe(false);
    await expectBystanderUnharmed(bystander);
  });

  it("bidi and zero-width names are refused: bad_request in hello, bad_frame on rename", async () => {
    const hostile = ["\u202Eevil", "ad\u200Bmin", "\u2066x\u2069", "a\u200Db", "b\uFEFFom", "line\u2028break", "tab\there"];
    for (const name of hostile) {
      const client = await TestClient.connect(server.wsUrl);
      client.sendRaw(JSON.stringify({ type: "hello", protocol: 2, name }));
      const error = await client.waitForType("error");
      expect(error.code).toBe("bad_request");
      expect((await client.waitForClose()).code).toBe(CLOSE_CODES.badRequest.code);
      expect(client.ofType("ready")).toEqual([]);
    }
    for (const name of hostile) {
      const error = await rejected(JSON.stringify({ type: "rename", name }));
      expect(error.code).toBe("bad_frame");
    }
    // Full-width letters normalize (NFKC) to the name they imitate, so they cannot take it either.
    const from = attacker.frames.length;
    attacker.send({ type: "rename", name: bystander.joined.you.name.replace("b", "ｂ") });
    expect(await attacker.waitForType("error", { from })).toMatchObject({ code: "name_taken", room: ROOM });
    expect(bystander.ofType("system").flatMap((s) => s.renamed)).toEqual([]);
    await expectBystanderUnharmed(bystander);
  });
});
