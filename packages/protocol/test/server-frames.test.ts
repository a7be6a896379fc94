import { describe, expect, it } from "vitest";
import {
  chatFrameSchema,
  type DecodeResult,
  decodeServerFrame,
  ERROR_CODE_LIST,
  encode,
  SERVER_FRAME_TYPES,
  serverFrameSchema,
} from "../src/index";
import { chat, raw, validServerFrames } from "./samples";

function failure<T>(result: DecodeResult<T>) {
  if (result.ok) throw new Error(`expected a decode failure, got ${JSON.stringify(result.frame)}`);
  return result.error;
}

/** A copy of a sample frame with some fields replaced or (with `undefined`) removed. */
function variant(type: keyof typeof validServerFrames, changes: Record<string, unknown>): string {
  const object: Record<string, unknown> = { ...validServerFrames[type], ...changes };
  for (const [key, value] of Object.entries(changes)) if (value === undefined) delete object[key];
  return raw(object);
}

describe("server frame types", () => {
  it("are exactly the eight of protocol v1", () => {
    expect([...SERVER_FRAME_TYPES].sort()).toEqual(["ack", "chat", "error", "history", "pong", "system", "typing", "welcome"]);
  });

  it.each(Object.values(validServerFrames))("decodes a valid $type frame unchanged", (valid) => {
    const result = decodeServerFrame(encode(valid));
    expect(result).toEqual({ ok: true, frame: valid });
  });

  it.each(Object.values(validServerFrames))("rejects an unknown field on $type (strict)", (valid) => {
    expect(failure(decodeServerFrame(raw({ ...valid, extra: true })))).toMatchObject({ reason: "invalid_field", field: "extra" });
  });

  it("rejects an unknown server type", () => {
    expect(failure(decodeServerFrame(raw({ type: "rename", name: "x" }))).reason).toBe("unknown_type");
  });
});

describe("welcome", () => {
  it.each([
    ["protocol", 2],
    ["protocol", "1"],
    ["you", { id: "u" }],
    ["you", { id: "u", name: "n", extra: 1 }],
    ["members", [{ id: "u", name: 1 }]],
    ["memberCount", -1],
    ["messages", [{ ...chat, seq: 0 }]],
    ["latestSeq", 1.5],
    ["complete", "yes"],
    ["limits", { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5 }],
    ["limits", { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20, extra: 1 }],
    ["session", undefined],
    ["room", undefined],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decodeServerFrame(variant("welcome", { [field]: value }))).field).toMatch(new RegExp(`^${field}`));
  });

  it("accepts an empty room with latestSeq 0", () => {
    expect(decodeServerFrame(variant("welcome", { messages: [], latestSeq: 0, members: [], memberCount: 0 })).ok).toBe(true);
  });

  it("accepts a fractional ratePerSecond", () => {
    expect(
      decodeServerFrame(variant("welcome", { limits: { maxTextLength: 1, maxFrameBytes: 1024, ratePerSecond: 0.5, burst: 1 } })).ok,
    ).toBe(true);
  });
});

describe("chat", () => {
  it.each([
    ["seq", 0],
    ["seq", 1.5],
    ["ts", -1],
    ["ts", "now"],
    ["from", { id: "u" }],
    ["text", 5],
    ["clientMsgId", undefined],
    ["id", undefined],
    ["room", undefined],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decodeServerFrame(variant("chat", { [field]: value }))).field).toMatch(new RegExp(`^${field}`));
  });

  it("is the same schema inside welcome and history", () => {
    expect(chatFrameSchema.safeParse(chat).success).toBe(true);
    expect(serverFrameSchema.safeParse({ ...validServerFrames.history, messages: [{ ...chat, extra: 1 }] }).success).toBe(false);
  });
});

describe("system", () => {
  it("accepts an optional notice", () => {
    expect(decodeServerFrame(variant("system", { notice: "The server is restarting." })).ok).toBe(true);
  });

  it.each([
    ["joined", undefined],
    ["left", [{ id: "u" }]],
    ["renamed", [{ user: { id: "u", name: "n" } }]],
    ["memberCount", "2"],
    ["notice", 5],
    ["seq", 3],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decodeServerFrame(variant("system", { [field]: value }))).field).toMatch(new RegExp(`^${field}`));
  });
});

describe("typing, ack, history, pong", () => {
  it.each([
    ["typing", "active", "yes"],
    ["typing", "user", undefined],
    ["ack", "seq", 0],
    ["ack", "clientMsgId", undefined],
    ["ack", "ts", 1.5],
    ["history", "hasOlder", undefined],
    ["history", "messages", [{}]],
    ["pong", "t", "1"],
  ] as const)("%s rejects %s = %j", (type, field, value) => {
    expect(failure(decodeServerFrame(variant(type, { [field]: value }))).field).toMatch(new RegExp(`^${field}`));
  });

  it("accepts a pong without t", () => {
    expect(decodeServerFrame(raw({ type: "pong" }))).toEqual({ ok: true, frame: { type: "pong" } });
  });
});

describe("error", () => {
  it.each(ERROR_CODE_LIST)("accepts code %s with only a message", (code) => {
    expect(decodeServerFrame(raw({ type: "error", code, message: "m" })).ok).toBe(true);
  });

  it.each([
    ["code", "nope"],
    ["code", undefined],
    ["message", undefined],
    ["clientMsgId", 1],
    ["retryAfterMs", -1],
    ["retryAfterMs", 1.5],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decodeServerFrame(variant("error", { [field]: value }))).field).toBe(field);
  });
});
