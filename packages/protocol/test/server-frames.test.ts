import { describe, expect, it } from "vitest";
import {
  chatFrameSchema,
  type DecodeResult,
  decodeServerFrame,
  decodeServerFrameTolerant,
  ERROR_CODE_LIST,
  encode,
  SERVER_FRAME_TYPES,
  serverFrameSchema,
} from "../src/index";
import { alice, chat, raw, validServerFrames } from "./samples";

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
  it("are exactly the twenty-four of protocol 2 with [3/6], [4/6] and [5/6]", () => {
    expect([...SERVER_FRAME_TYPES].sort()).toEqual([
      "ack",
      "authed",
      "chat",
      "created",
      "delete",
      "edit",
      "error",
      "history",
      "invite-created",
      "invite-revoked",
      "joined",
      "left",
      "moderation",
      "notify",
      "pong",
      "reaction",
      "ready",
      "report",
      "report-resolved",
      "reported",
      "room-admin",
      "search-results",
      "system",
      "typing",
    ]);
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

describe("ready", () => {
  it.each([
    ["protocol", 1],
    ["protocol", "2"],
    ["you", { id: "u" }],
    ["session", undefined],
    ["rooms", [{ room: "lobby", latestSeq: 1, readSeq: 0 }]],
    ["rooms", [{ room: "lobby", latestSeq: 1, readSeq: 0, unread: -1 }]],
    ["rooms", [{ room: "lobby", latestSeq: 1, readSeq: 0, unread: 1, extra: 1 }]],
    ["limits", { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20 }],
    ["limits", { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20, maxRooms: 0 }],
    ["limits", { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20, maxRooms: 50, extra: 1 }],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decodeServerFrame(variant("ready", { [field]: value }))).field).toMatch(new RegExp(`^${field}`));
  });

  it("accepts a user with no rooms and a fractional ratePerSecond", () => {
    const limits = { maxTextLength: 1, maxFrameBytes: 1024, ratePerSecond: 0.5, burst: 1, maxRooms: 1, roomMentionMembersMax: 1 };
    expect(decodeServerFrame(variant("ready", { rooms: [], limits })).ok).toBe(true);
  });
});

describe("joined", () => {
  it.each([
    ["you", { id: "u" }],
    ["you", { id: "u", name: "n", extra: 1 }],
    ["members", [{ id: "u", name: 1 }]],
    ["memberCount", -1],
    ["messages", [{ ...chat, seq: 0 }]],
    ["latestSeq", 1.5],
    ["complete", "yes"],
    ["readSeq", -1],
    ["readSeq", undefined],
    ["room", undefined],
    ["session", "s3ssion-token-0123456789"],
    ["limits", { maxTextLength: 2000, maxFrameBytes: 16384, ratePerSecond: 5, burst: 20, maxRooms: 50 }],
  ])("rejects %s = %j", (field, value) => {
    expect(failure(decodeServerFrame(variant("joined", { [field]: value }))).field).toMatch(new RegExp(`^${field}`));
  });

  it("accepts an empty room with latestSeq 0", () => {
    expect(decodeServerFrame(variant("joined", { messages: [], latestSeq: 0, members: [], memberCount: 0, readSeq: 0 })).ok).toBe(true);
  });
});

describe("search results", () => {
  const hit = (highlights: unknown) => [
    { room: "lobby", seq: 42, from: alice, ts: 1_700_000_000_000, snippet: "…the 测试 passed", highlights },
  ];

  it("carry highlights as [start, end] pairs of non-negative integers", () => {
    expect(decodeServerFrame(variant("search-results", { results: hit([]) })).ok).toBe(true);
    const pairs = [
      [0, 0],
      [3, 5],
    ];
    expect(decodeServerFrame(variant("search-results", { results: hit(pairs) })).ok).toBe(true);
  });

  it.each([[[1]], [[1, 2, 3]], [[-1, 2]], [[1.5, 2]], [["1", 2]], [[1, null]], [{ 0: 1, 1: 2, length: 2 }], [[2 ** 53, 2 ** 53 + 2]]])(
    "reject the highlight %j",
    (pair) => {
      expect(failure(decodeServerFrame(variant("search-results", { results: hit([pair]) }))).field).toBe("results.0.highlights.0");
    },
  );
});

describe("history pages", () => {
  it("carry hasOlder (a before page), hasNewer (an after page) or both (an around page), never neither", () => {
    expect(decodeServerFrame(variant("history", { hasOlder: undefined, hasNewer: true })).ok).toBe(true);
    expect(decodeServerFrame(variant("history", { hasOlder: true, hasNewer: false })).ok).toBe(true);
    expect(failure(decodeServerFrame(variant("history", { hasOlder: undefined }))).field).toBe("hasOlder");
  });
});

describe("unknown room events", () => {
  it("come through the tolerant decoder with their room and seq, so a client can advance past them", () => {
    const poll = raw({ type: "poll", room: "lobby", seq: 57, question: "lunch?" });
    expect(failure(decodeServerFrame(poll)).reason).toBe("unknown_type");
    expect(decodeServerFrameTolerant(poll)).toEqual({
      ok: true,
      frame: { type: "unknown-event", eventType: "poll", room: "lobby", seq: 57 },
    });
  });

  it("stay failures without a room and a positive integer seq", () => {
    for (const frame of [
      { type: "poll", seq: 5 },
      { type: "poll", room: "lobby", seq: 0 },
      { type: "poll", room: "lobby" },
    ]) {
      expect(decodeServerFrameTolerant(raw(frame)).ok).toBe(false);
    }
  });

  it("leave known frames to the strict rules", () => {
    expect(decodeServerFrameTolerant(variant("chat", { seq: 0 })).ok).toBe(false);
    expect(decodeServerFrameTolerant(encode(chat))).toEqual({ ok: true, frame: chat });
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

  it("is the same schema inside joined and history", () => {
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

describe("pages of events ([3/6])", () => {
  const asItStands = {
    ...chat,
    rev: 59,
    text: "fixed typo",
    edited: { ts: 1_700_000_100_000 },
    reactions: [{ emoji: "👍", count: 2, users: ["u_bob", "u_carol"] }],
    replyTo: { seq: 40, from: { id: "u_bob", name: "bob" }, text: "the question" },
  };
  const { text: _purged, ...withoutText } = chat;
  const deleted = { ...withoutText, rev: 60, deleted: { by: { id: "u_alice", name: "alice" }, ts: 1_700_000_200_000 } };

  it("carry chats as they stand, change events, and events of unknown kinds as unknown-event", () => {
    const page = {
      type: "history",
      room: "lobby",
      hasNewer: false,
      messages: [asItStands, deleted, validServerFrames.edit, { type: "poll", room: "lobby", seq: 61, question: "lunch?" }],
    };
    const decoded = decodeServerFrame(raw(page));
    expect(decoded.ok && decoded.frame.type === "history" && decoded.frame.messages).toEqual([
      asItStands,
      deleted,
      validServerFrames.edit,
      { type: "unknown-event", eventType: "poll", room: "lobby", seq: 61 },
    ]);
  });

  it("a page holding an unknown event decodes to itself again once encoded (a fixed point)", () => {
    const page = { type: "history", room: "lobby", hasNewer: false, messages: [{ type: "poll", room: "lobby", seq: 61 }] };
    const decoded = decodeServerFrame(raw(page));
    expect(decoded.ok).toBe(true);
    if (decoded.ok) expect(decodeServerFrame(raw(decoded.frame))).toEqual(decoded);
  });

  it("a known kind in a page is checked strictly, not waved through as unknown", () => {
    const page = { type: "history", room: "lobby", hasNewer: false, messages: [{ ...validServerFrames.edit, target: 0 }] };
    expect(decodeServerFrame(raw(page)).ok).toBe(false);
  });
});
