import fc from "fast-check";
import {
  type ChatFrame,
  CLIENT_FRAME_TYPES,
  type ClientFrame,
  DEFAULT_LIMITS,
  ERROR_CODE_LIST,
  normalizeName,
  SERVER_FRAME_TYPES,
  type ServerFrame,
  type User,
} from "../src/index";

/**
 * Numbers as a decoded frame holds them: finite (JSON cannot carry NaN or the infinities), with
 * subnormals, and never -0, which decodes as 0 (the "numbers" properties pin those edges).
 */
const jsonNumber = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })).map((n) => (Object.is(n, -0) ? 0 : n));
const nat = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const seq = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const ts = fc.integer({ min: 0, max: 4_102_444_800_000 });

/** Any code point, lone surrogates included: JSON escapes them, so they survive the wire too. */
const anyText = (maxLength: number) => fc.string({ unit: "binary", minLength: 1, maxLength });

export const clientMsgId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);

/** Emoji in their RGI form, as `decode` leaves them: plain, with a skin tone, joined, a flag, a keycap. */
export const emoji = fc.constantFrom("👍", "❤️", "👍🏽", "👨‍👩‍👧", "🇫🇷", "1️⃣", "🎉", "😂");

/** A chat text as `decode` leaves it: trimmed, non-empty, at most the limit in code points. */
export const chatText = fc
  .oneof(
    { weight: 4, arbitrary: anyText(40) },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: DEFAULT_LIMITS.maxTextLength }) },
  )
  .map((text) => text.trim())
  .filter((text) => text.length > 0 && [...text].length <= DEFAULT_LIMITS.maxTextLength);

/** A name as `decode` leaves it: any string that normalizes, taken in its normalized form. */
export const validName = fc
  .oneof(anyText(40), fc.string({ unit: "grapheme", minLength: 1, maxLength: 32 }))
  .map((raw) => normalizeName(raw))
  .filter((result) => result.ok)
  .map((result) => (result.ok ? result.name : ""));

export const room = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/);
const session = fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/);
const pageLimit = fc.integer({ min: 1, max: DEFAULT_LIMITS.historyPageMax });

export const validClientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record(
    { type: fc.constant("hello" as const), protocol: fc.integer(), session, name: validName },
    { requiredKeys: ["type", "protocol"] },
  ),
  fc.record({ type: fc.constant("join" as const), room, since: nat }, { requiredKeys: ["type", "room"] }),
  fc.record({ type: fc.constant("leave" as const), room }),
  fc.record(
    { type: fc.constant("chat" as const), room, text: chatText, clientMsgId, replyTo: seq },
    { requiredKeys: ["type", "room", "text", "clientMsgId"] },
  ),
  fc.record({ type: fc.constant("edit" as const), room, target: seq, text: chatText, clientMsgId }),
  fc.record({ type: fc.constant("delete" as const), room, target: seq, clientMsgId }),
  fc.record({ type: fc.constant("react" as const), room, target: seq, emoji, on: fc.boolean(), clientMsgId }),
  fc.record({ type: fc.constant("typing" as const), room, active: fc.boolean() }),
  fc.record({ type: fc.constant("rename" as const), name: validName }),
  fc.record({ type: fc.constant("history" as const), room, before: nat, limit: pageLimit }),
  fc.record({ type: fc.constant("history" as const), room, after: nat, limit: pageLimit }),
  fc.record({ type: fc.constant("read" as const), room, seq: nat }),
  fc.record({ type: fc.constant("ping" as const), t: jsonNumber }, { requiredKeys: ["type"] }),
);

const anyString = fc.string({ unit: "binary", maxLength: 40 });
const user: fc.Arbitrary<User> = fc.record({ id: anyString, name: anyString });

const chatFrame: fc.Arbitrary<ChatFrame> = fc.record(
  {
    type: fc.constant("chat" as const),
    room: anyString,
    seq,
    id: anyString,
    from: user,
    text: anyString,
    ts,
    clientMsgId: anyString,
    replyTo: fc.oneof(fc.record({ seq, from: user, text: anyString }), fc.record({ seq, deleted: fc.constant(true as const) })),
    rev: seq,
    edited: fc.record({ ts }),
    deleted: fc.record({ by: user, ts }),
    reactions: fc.array(fc.record({ emoji: anyString, count: seq, users: fc.array(anyString, { maxLength: 3 }) }), { maxLength: 3 }),
  },
  { requiredKeys: ["type", "room", "seq", "id", "from", "ts", "clientMsgId"] },
);

const changeEvent: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record(
    { type: fc.constant("edit" as const), room: anyString, seq, ts, target: seq, text: anyString, by: user, clientMsgId: anyString },
    { requiredKeys: ["type", "room", "seq", "ts", "target", "by", "clientMsgId"] },
  ),
  fc.record({ type: fc.constant("delete" as const), room: anyString, seq, ts, target: seq, by: user, clientMsgId: anyString }),
  fc.record({
    type: fc.constant("reaction" as const),
    room: anyString,
    seq,
    ts,
    target: seq,
    emoji: anyString,
    on: fc.boolean(),
    by: user,
    clientMsgId: anyString,
  }),
);
const pageEvent = fc.oneof(chatFrame, changeEvent) as fc.Arbitrary<ChatFrame>;

export const validServerFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record({
    type: fc.constant("ready" as const),
    protocol: fc.constant(2 as const),
    you: user,
    session: anyString,
    rooms: fc.array(fc.record({ room: anyString, latestSeq: nat, readSeq: nat, unread: nat }), { maxLength: 4 }),
    limits: fc.record(
      {
        maxTextLength: seq,
        maxFrameBytes: seq,
        ratePerSecond: fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        burst: seq,
        maxRooms: seq,
        editWindowMs: seq,
      },
      { requiredKeys: ["maxTextLength", "maxFrameBytes", "ratePerSecond", "burst", "maxRooms"] },
    ),
  }),
  fc.record({
    type: fc.constant("joined" as const),
    room: anyString,
    you: user,
    members: fc.array(user, { maxLength: 5 }),
    memberCount: nat,
    messages: fc.array(pageEvent, { maxLength: 5 }),
    latestSeq: nat,
    complete: fc.boolean(),
    readSeq: nat,
  }),
  fc.record({ type: fc.constant("left" as const), room: anyString }),
  chatFrame,
  changeEvent,
  fc.record(
    {
      type: fc.constant("system" as const),
      room: anyString,
      ts,
      joined: fc.array(user, { maxLength: 3 }),
      left: fc.array(user, { maxLength: 3 }),
      renamed: fc.array(fc.record({ user, previousName: anyString }), { maxLength: 3 }),
      memberCount: nat,
      notice: anyString,
    },
    { requiredKeys: ["type", "room", "ts", "joined", "left", "renamed", "memberCount"] },
  ),
  fc.record({ type: fc.constant("typing" as const), room: anyString, user, active: fc.boolean() }),
  fc.record({ type: fc.constant("ack" as const), room: anyString, clientMsgId: anyString, seq, ts }),
  fc.record({
    type: fc.constant("history" as const),
    room: anyString,
    messages: fc.array(pageEvent, { maxLength: 5 }),
    hasOlder: fc.boolean(),
  }),
  fc.record({
    type: fc.constant("history" as const),
    room: anyString,
    messages: fc.array(pageEvent, { maxLength: 5 }),
    hasNewer: fc.boolean(),
  }),
  fc.record(
    {
      type: fc.constant("error" as const),
      code: fc.constantFrom(...ERROR_CODE_LIST),
      message: anyString,
      room: anyString,
      clientMsgId: anyString,
      retryAfterMs: nat,
    },
    { requiredKeys: ["type", "code", "message"] },
  ),
  fc.record({ type: fc.constant("pong" as const), t: jsonNumber }, { requiredKeys: ["type"] }),
);

/** Objects with a real frame `type` and arbitrary other fields, mostly wrong ones. */
export const objectWithFrameType = fc
  .tuple(
    fc.constantFrom(...CLIENT_FRAME_TYPES, ...SERVER_FRAME_TYPES),
    fc.dictionary(
      fc.oneof(
        fc.constantFrom(
          "text",
          "clientMsgId",
          "active",
          "name",
          "before",
          "after",
          "limit",
          "t",
          "seq",
          "room",
          "protocol",
          "since",
          "target",
          "emoji",
          "on",
          "replyTo",
          "__proto__",
        ),
        anyString,
      ),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 6 },
    ),
  )
  .map(([type, fields]) => ({ ...fields, type }));
