import { describe, expect, it } from "vitest";
import { CLIENT_FRAME_TYPES, createClientCodec, type DecodeResult, decode, encode, errorCodeFor } from "../src/index";
import { raw, validClientFrames } from "./samples";

function failure<T>(result: DecodeResult<T>) {
  if (result.ok) throw new Error(`expected a decode failure, got ${JSON.stringify(result.frame)}`);
  return result.error;
}

function frame<T>(result: DecodeResult<T>): T {
  if (!result.ok) throw new Error(`expected a frame, got ${JSON.stringify(result.error)}`);
  return result.frame;
}

const EMOJI = "😀"; // one code point, two UTF-16 units

describe("client frame types", () => {
  it("are exactly the twenty-two of protocol 2 with [3/6], [4/6] and [5/6]", () => {
    expect([...CLIENT_FRAME_TYPES].sort()).toEqual([
      "auth",
      "chat",
      "create",
      "delete",
      "edit",
      "hello",
      "history",
      "invite",
      "join",
      "leave",
      "moderate",
      "notify",
      "ping",
      "react",
      "read",
      "rename",
      "report",
      "resolve-report",
      "revoke-invite",
      "room-admin",
      "search",
      "typing",
    ]);
  });

  it.each(Object.values(validClientFrames))("decodes a valid $type frame unchanged", (valid) => {
    expect(frame(decode(encode(valid)))).toEqual(valid);
  });

  it.each(Object.values(validClientFrames))("rejects an unknown field on $type (strict)", (valid) => {
    const error = failure(decode(raw({ ...valid, extra: 1 })));
    expect(error.reason).toBe("invalid_field");
    expect(error.field).toBe("extra");
    expect(errorCodeFor(error)).toBe("bad_frame");
  });
});

describe("chat", () => {
  const chat = (fields: Record<string, unknown>) => decode(raw({ type: "chat", room: "lobby", text: "hi", clientMsgId: "c-1", ...fields }));

  it("trims the text and keeps inner newlines", () => {
    expect(frame(chat({ text: "  line one\n\nline two \n\t" }))).toEqual({
      type: "chat",
      room: "lobby",
      text: "line one\n\nline two",
      clientMsgId: "c-1",
    });
  });

  it.each([[""], ["   "], ["\n\t \r\n"]])("rejects empty text %j with the clientMsgId echoed", (text) => {
    const error = failure(chat({ text }));
    expect(error).toMatchObject({ reason: "invalid_field", field: "text", clientMsgId: "c-1" });
    expect(errorCodeFor(error)).toBe("bad_frame");
  });

  it("refuses a text holding U+0000 (no store keeps it) with bad_frame naming it, for a chat and an edit", () => {
    const error = failure(chat({ text: "before\u0000after" }));
    expect(error).toMatchObject({ reason: "invalid_field", field: "text", clientMsgId: "c-1" });
    expect(error.message).toContain("U+0000");
    expect(errorCodeFor(error)).toBe("bad_frame");
    const edit = failure(decode(raw({ type: "edit", room: "lobby", target: 1, text: "\u0000", clientMsgId: "c-2" })));
    expect(edit).toMatchObject({ reason: "invalid_field", field: "text", clientMsgId: "c-2" });
  });

  it("counts the limit in code points: 2000 emoji are accepted", () => {
    const text = EMOJI.repeat(2000);
    expect(text.length).toBe(4000);
    expect(frame(chat({ text }))).toMatchObject({ text });
  });

  it("answers 2001 emoji with too_long and echoes the clientMsgId", () => {
    const error = failure(chat({ text: EMOJI.repeat(2001), clientMsgId: "msg_7" }));
    expect(error).toMatchObject({ reason: "too_long", field: "text", clientMsgId: "msg_7" });
    expect(errorCodeFor(error)).toBe("too_long");
  });

  it("accepts 2000 ASCII characters and rejects 2001", () => {
    expect(chat({ text: "x".repeat(2000) }).ok).toBe(true);
    expect(failure(chat({ text: "x".repeat(2001) })).reason).toBe("too_long");
  });

  it("applies the limit after trimming", () => {
    const text = EMOJI.repeat(2000);
    expect(frame(chat({ text: ` \n${" ".repeat(3000)}${text}  ` }))).toMatchObject({ text });
  });

  it("follows a codec's own maxTextLength", () => {
    const codec = createClientCodec({ maxTextLength: 3 });
    expect(codec.decode(raw({ type: "chat", room: "lobby", text: "abc", clientMsgId: "a" })).ok).toBe(true);
    expect(failure(codec.decode(raw({ type: "chat", room: "lobby", text: "abcd", clientMsgId: "a" }))).reason).toBe("too_long");
  });

  it.each([["a"], ["A-z_09"], ["x".repeat(64)]])("accepts clientMsgId %j", (clientMsgId) => {
    expect(chat({ clientMsgId }).ok).toBe(true);
  });

  it.each([[""], ["has space"], ["x".repeat(65)], ["dot.ted"], ["é"], ["a/b"]])(
    "rejects clientMsgId %j without echoing it",
    (clientMsgId) => {
      const error = failure(chat({ clientMsgId }));
      expect(error).toMatchObject({ reason: "invalid_field", field: "clientMsgId" });
      expect(error.clientMsgId).toBeUndefined();
    },
  );

  it.each([
    ["text", 5],
    ["text", null],
    ["text", ["hi"]],
    ["clientMsgId", 1],
  ])("rejects %s of the wrong type (%j)", (field, value) => {
    expect(failure(chat({ [field]: value }))).toMatchObject({ reason: "invalid_field", field });
  });

  it.each([["text"], ["clientMsgId"]])("rejects a chat without %s", (missing) => {
    const object: Record<string, unknown> = { type: "chat", room: "lobby", text: "hi", clientMsgId: "c-1" };
    delete object[missing];
    expect(failure(decode(raw(object)))).toMatchObject({ reason: "invalid_field", field: missing });
  });

  it("rejects fields a client may not set, such as seq or from", () => {
    expect(failure(chat({ seq: 1 })).field).toBe("seq");
    expect(failure(chat({ from: { id: "u", name: "n" } })).field).toBe("from");
  });
});

describe("typing", () => {
  it.each([[true], [false]])("accepts active %j", (active) => {
    expect(frame(decode(raw({ type: "typing", room: "lobby", active })))).toEqual({ type: "typing", room: "lobby", active });
  });

  it.each([["true"], [1], [null]])("rejects active %j", (active) => {
    expect(failure(decode(raw({ type: "typing", room: "lobby", active })))).toMatchObject({ reason: "invalid_field", field: "active" });
  });

  it("rejects a typing frame without active", () => {
    expect(failure(decode(raw({ type: "typing", room: "lobby" }))).field).toBe("active");
  });
});

describe("rename", () => {
  it("NFKC-normalizes and trims the name", () => {
    expect(frame(decode(raw({ type: "rename", name: "  Ａｌｉｃｅ\u00a0 " })))).toEqual({ type: "rename", name: "Alice" });
  });

  it.each([
    ["empty", ""],
    ["blank", "   "],
    ["33 code points", "a".repeat(33)],
    ["a control character", "a\u0007b"],
    ["a newline", "a\nb"],
    ["a zero-width space", "a\u200bb"],
    ["a zero-width joiner", "a\u200db"],
    ["a bidi override", "\u202eevil"],
    ["a bidi isolate", "a\u2066b"],
  ])("rejects a name that is %s", (_label, name) => {
    expect(failure(decode(raw({ type: "rename", name })))).toMatchObject({ reason: "invalid_field", field: "name" });
  });

  it("accepts 32 code points of emoji", () => {
    expect(decode(raw({ type: "rename", name: EMOJI.repeat(32) })).ok).toBe(true);
  });

  it("rejects a name of the wrong type", () => {
    expect(failure(decode(raw({ type: "rename", name: 7 }))).field).toBe("name");
  });
});

describe("history", () => {
  const history = (fields: Record<string, unknown>) => decode(raw({ type: "history", room: "lobby", before: 10, limit: 10, ...fields }));

  it.each([[1], [100]])("accepts limit %i", (limit) => {
    expect(frame(history({ limit }))).toEqual({ type: "history", room: "lobby", before: 10, limit });
  });

  it.each([[0], [101], [1.5], [-1], ["10"]])("rejects limit %j", (limit) => {
    expect(failure(history({ limit }))).toMatchObject({ reason: "invalid_field", field: "limit" });
  });

  it.each([[0], [1], [Number.MAX_SAFE_INTEGER]])("accepts before %i", (before) => {
    expect(history({ before }).ok).toBe(true);
  });

  it.each([[-1], [2.5], ["5"], [null]])("rejects before %j", (before) => {
    expect(failure(history({ before }))).toMatchObject({ reason: "invalid_field", field: "before" });
  });

  it.each([["before"], ["limit"]])("rejects a history frame without %s", (missing) => {
    const object: Record<string, unknown> = { type: "history", room: "lobby", before: 1, limit: 1 };
    delete object[missing];
    expect(failure(decode(raw(object))).field).toBe(missing);
  });
});

describe("history after", () => {
  it("reads forward from after", () => {
    expect(frame(decode(raw({ type: "history", room: "lobby", after: 100, limit: 100 })))).toEqual({
      type: "history",
      room: "lobby",
      after: 100,
      limit: 100,
    });
  });

  it("takes exactly one of before, after and around", () => {
    expect(failure(decode(raw({ type: "history", room: "lobby", before: 5, after: 1, limit: 5 })))).toMatchObject({
      reason: "invalid_field",
      field: "before",
    });
    expect(failure(decode(raw({ type: "history", room: "lobby", around: 5, after: 1, limit: 5 }))).field).toBe("before");
    expect(decode(raw({ type: "history", room: "lobby", around: 5, limit: 5 })).ok).toBe(true);
    expect(failure(decode(raw({ type: "history", room: "lobby", around: 0, limit: 5 }))).field).toBe("around");
    expect(failure(decode(raw({ type: "history", room: "lobby", limit: 5 }))).field).toBe("before");
  });

  it.each([[-1], [1.5], ["3"]])("rejects after %j", (after) => {
    expect(failure(decode(raw({ type: "history", room: "lobby", after, limit: 5 }))).field).toBe("after");
  });
});

describe("hello", () => {
  it("needs only the protocol; any integer decodes (the server answers a wrong one unsupported_protocol)", () => {
    expect(frame(decode(raw({ type: "hello", protocol: 2 })))).toEqual({ type: "hello", protocol: 2 });
    expect(frame(decode(raw({ type: "hello", protocol: 3 })))).toEqual({ type: "hello", protocol: 3 });
  });

  it("normalizes the name as rename does", () => {
    expect(frame(decode(raw({ type: "hello", protocol: 2, name: " Ａｌｉｃｅ " })))).toEqual({ type: "hello", protocol: 2, name: "Alice" });
  });

  it.each([
    ["protocol", "2"],
    ["protocol", 2.5],
    ["session", "short"],
    ["session", "dots.are.not.allowed"],
    ["name", "a\u200bb"],
    ["name", ""],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decode(raw({ type: "hello", protocol: 2, [field]: value }))).field).toBe(field);
  });
});

describe("join, leave and read", () => {
  it("decode with a room, join with an optional since", () => {
    expect(frame(decode(raw({ type: "join", room: "dev" })))).toEqual({ type: "join", room: "dev" });
    expect(frame(decode(raw({ type: "join", room: "dev", since: 0 })))).toEqual({ type: "join", room: "dev", since: 0 });
    expect(frame(decode(raw({ type: "leave", room: "dev" })))).toEqual({ type: "leave", room: "dev" });
    expect(frame(decode(raw({ type: "read", room: "dev", seq: 57 })))).toEqual({ type: "read", room: "dev", seq: 57 });
  });

  it.each([
    [{ type: "join", room: "Dev" }, "room"],
    [{ type: "join" }, "room"],
    [{ type: "join", room: "dev", since: -1 }, "since"],
    [{ type: "leave", room: "a b" }, "room"],
    [{ type: "read", room: "dev" }, "seq"],
    [{ type: "read", room: "dev", seq: 1.5 }, "seq"],
    [{ type: "chat", text: "hi", clientMsgId: "c" }, "room"],
    [{ type: "typing", active: true }, "room"],
  ])("rejects %j at %s", (object, field) => {
    expect(failure(decode(raw(object))).field).toBe(field);
  });
});

describe("ping", () => {
  it("accepts a ping without t", () => {
    expect(frame(decode(raw({ type: "ping" })))).toEqual({ type: "ping" });
  });

  it.each([[0], [-5], [1.25], [1_700_000_000_000]])("accepts t = %j", (t) => {
    expect(frame(decode(raw({ type: "ping", t })))).toEqual({ type: "ping", t });
  });

  it.each([["1"], [null], [{}]])("rejects t = %j", (t) => {
    expect(failure(decode(raw({ type: "ping", t }))).field).toBe("t");
  });

  it("rejects t that JSON turns into Infinity", () => {
    expect(failure(decode('{"type":"ping","t":1e400}')).field).toBe("t");
  });
});

describe("type", () => {
  it.each([["nope"], ["welcome"], ["ack"], ["CHAT"], ["toString"], ["__proto__"]])("rejects unknown type %j", (type) => {
    expect(failure(decode(raw({ type })))).toMatchObject({ reason: "unknown_type", field: "type" });
  });

  it.each([[1], [null], [true], [["chat"]]])("rejects a non-string type %j", (type) => {
    expect(failure(decode(raw({ type })))).toMatchObject({ reason: "invalid_field", field: "type" });
  });

  it("rejects a frame without type", () => {
    expect(failure(decode(raw({ text: "hi", clientMsgId: "a" })))).toMatchObject({ reason: "invalid_field", field: "type" });
  });

  it("echoes a valid clientMsgId even when the type is unknown", () => {
    expect(failure(decode(raw({ type: "shout", clientMsgId: "c-9" }))).clientMsgId).toBe("c-9");
  });
});

describe("changes to a message ([3/6])", () => {
  it("react takes exactly one RGI emoji, modifiers and joiners included", () => {
    for (const emoji of ["👍", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "❤️"]) {
      expect(frame(decode(raw({ type: "react", room: "lobby", target: 4, emoji, on: true, clientMsgId: "r-1" })))).toMatchObject({ emoji });
    }
  });

  it("a symbol typed without its presentation selector is given it", () => {
    expect(frame(decode(raw({ type: "react", room: "lobby", target: 4, emoji: "❤", on: true, clientMsgId: "r-1" })))).toMatchObject({
      emoji: "❤️",
    });
  });

  it.each(["", "a", "👍👍", "😀\u200d", ":+1:", "👍 "])("refuses %j as an emoji", (emoji) => {
    const error = failure(decode(raw({ type: "react", room: "lobby", target: 4, emoji, on: true, clientMsgId: "r-1" })));
    expect(error).toMatchObject({ reason: "invalid_field", field: "emoji", clientMsgId: "r-1" });
  });

  it("targets and replyTo are positive integer seqs", () => {
    for (const target of [0, -1, 1.5, "4"]) {
      expect(failure(decode(raw({ type: "delete", room: "lobby", target, clientMsgId: "d-1" }))).field).toBe("target");
      expect(failure(decode(raw({ type: "chat", room: "lobby", text: "hi", clientMsgId: "c-1", replyTo: target }))).field).toBe("replyTo");
    }
  });

  it("an edit's text follows chat's rules: trimmed, not empty, at most the limit", () => {
    expect(frame(decode(raw({ type: "edit", room: "lobby", target: 4, text: "  fixed  ", clientMsgId: "e-1" })))).toMatchObject({
      text: "fixed",
    });
    expect(failure(decode(raw({ type: "edit", room: "lobby", target: 4, text: "   ", clientMsgId: "e-1" }))).field).toBe("text");
    const long = failure(decode(raw({ type: "edit", room: "lobby", target: 4, text: "x".repeat(2001), clientMsgId: "e-1" })));
    expect(errorCodeFor(long)).toBe("too_long");
  });
});
