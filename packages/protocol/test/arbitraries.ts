import fc from "fast-check";
import {
  type ChatFrame,
  CLIENT_FRAME_TYPES,
  type ClientFrame,
  DEFAULT_LIMITS,
  ERROR_CODE_LIST,
  MAX_DURATION_MS,
  MAX_SLOW_MODE_MS,
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
  // U+0000 is refused (bad_frame): no store can keep it.
  .filter((text) => text.length > 0 && !text.includes("\u0000") && [...text].length <= DEFAULT_LIMITS.maxTextLength);

/** A name as `decode` leaves it: any string that normalizes, taken in its normalized form. */
export const validName = fc
  .oneof(anyText(40), fc.string({ unit: "grapheme", minLength: 1, maxLength: 32 }))
  .map((raw) => normalizeName(raw))
  .filter((result) => result.ok)
  .map((result) => (result.ok ? result.name : ""));

export const room = fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/);
const session = fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/);
const pageLimit = fc.integer({ min: 1, max: DEFAULT_LIMITS.historyPageMax });
const searchLimit = fc.integer({ min: 1, max: DEFAULT_LIMITS.searchPageMax });
const searchCursor = fc.stringMatching(/^[A-Za-z0-9_-]{1,40}$/);
const notifyLevel = fc.constantFrom("all" as const, "mentions" as const, "none" as const);
const secret = fc.stringMatching(/^[A-Za-z0-9_-]{16,128}$/);
const base64url = fc.stringMatching(/^[A-Za-z0-9_-]{1,200}$/);
const jwt = fc.tuple(base64url, base64url, base64url).map((parts) => parts.join("."));
const shortId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const userId = fc.string({ unit: "binary", minLength: 1, maxLength: 255 });
const duration = fc.integer({ min: 1000, max: MAX_DURATION_MS });
/** A report's reason as `decode` leaves it: trimmed, non-empty, within the limit. */
const reportReason = anyText(60)
  .map((text) => text.trim())
  .filter((text) => text.length > 0);
const roomRole = fc.constantFrom("member" as const, "moderator" as const, "owner" as const);

const moderateBase = { type: fc.constant("moderate" as const), room, clientMsgId };
const moderateFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record(
    { ...moderateBase, action: fc.constant("mute" as const), user: userId, durationMs: duration },
    { requiredKeys: ["type", "room", "clientMsgId", "action", "user"] },
  ),
  fc.record({ ...moderateBase, action: fc.constant("unmute" as const), user: userId }),
  fc.record({ ...moderateBase, action: fc.constant("kick" as const), user: userId }),
  fc.record(
    { ...moderateBase, action: fc.constant("ban" as const), user: userId, durationMs: duration, address: fc.boolean() },
    { requiredKeys: ["type", "room", "clientMsgId", "action", "user"] },
  ),
  fc.record({ ...moderateBase, action: fc.constant("unban" as const), user: userId }),
  fc.record({ ...moderateBase, action: fc.constant("slow-mode" as const), intervalMs: fc.integer({ min: 0, max: MAX_SLOW_MODE_MS }) }),
  fc.record({ ...moderateBase, action: fc.constant("lock" as const), locked: fc.boolean() }),
  fc.record({ ...moderateBase, action: fc.constant("role" as const), user: userId, role: roomRole }),
  fc.record({ ...moderateBase, action: fc.constant("rename" as const), user: userId, name: validName }),
);

export const validClientFrame: fc.Arbitrary<ClientFrame> = fc.oneof(
  fc.record(
    { type: fc.constant("hello" as const), protocol: fc.integer(), session, name: validName, token: jwt, adminKey: secret },
    { requiredKeys: ["type", "protocol"] },
  ),
  fc.record({ type: fc.constant("join" as const), room, since: nat }, { requiredKeys: ["type", "room"] }),
  fc.record({ type: fc.constant("join" as const), room, since: nat, key: secret }, { requiredKeys: ["type", "room", "key"] }),
  fc.record({ type: fc.constant("join" as const), room, invite: secret }),
  fc.record({ type: fc.constant("create" as const), room, private: fc.boolean(), clientMsgId }),
  moderateFrame,
  fc.record({ type: fc.constant("report" as const), room, target: seq, reason: reportReason, clientMsgId }),
  fc.record({ type: fc.constant("resolve-report" as const), room, report: shortId, clientMsgId }),
  fc.record(
    {
      type: fc.constant("invite" as const),
      room,
      role: fc.constantFrom("member" as const, "moderator" as const),
      expiresInMs: fc.integer({ min: 60_000, max: MAX_DURATION_MS }),
      maxUses: fc.integer({ min: 1, max: 10_000 }),
      clientMsgId,
    },
    { requiredKeys: ["type", "room", "role", "clientMsgId"] },
  ),
  fc.record({ type: fc.constant("revoke-invite" as const), room, invite: shortId, clientMsgId }),
  fc.record({ type: fc.constant("room-admin" as const), room }),
  fc.record({ type: fc.constant("auth" as const), token: jwt }),
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
  fc.record({ type: fc.constant("history" as const), room, around: seq, limit: pageLimit }),
  fc.record({ type: fc.constant("read" as const), room, seq: nat }),
  fc.record({ type: fc.constant("notify" as const), room, level: notifyLevel }),
  fc.record(
    {
      type: fc.constant("search" as const),
      clientMsgId,
      query: fc.string({ maxLength: 40 }),
      room,
      limit: searchLimit,
      cursor: searchCursor,
    },
    { requiredKeys: ["type", "clientMsgId", "query"] },
  ),
  fc.record({ type: fc.constant("ping" as const), t: jsonNumber }, { requiredKeys: ["type"] }),
);

const anyString = fc.string({ unit: "binary", maxLength: 40 });
const user: fc.Arbitrary<User> = fc.record(
  { id: anyString, name: anyString, role: fc.constantFrom("moderator" as const, "owner" as const, "admin" as const) },
  { requiredKeys: ["id", "name"] },
);
const mentionFields = { mentions: fc.array(user, { maxLength: 3 }), mentionsRoom: fc.constant(true as const) };

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
    ...mentionFields,
  },
  { requiredKeys: ["type", "room", "seq", "id", "from", "ts", "clientMsgId"] },
);

const changeEvent: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record(
    {
      type: fc.constant("edit" as const),
      room: anyString,
      seq,
      ts,
      target: seq,
      text: anyString,
      by: user,
      clientMsgId: anyString,
      ...mentionFields,
    },
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
const staffRole = fc.constantFrom("moderator" as const, "owner" as const, "admin" as const);
const staffMember = fc.record({ id: anyString, name: anyString, role: staffRole });
const eventBase = { type: fc.constant("moderation" as const), room: anyString, seq, ts, by: user, clientMsgId: anyString };
const moderationEvent: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record({ ...eventBase, action: fc.constant("create" as const), private: fc.boolean() }),
  fc.record(
    { ...eventBase, action: fc.constant("mute" as const), user, durationMs: seq, until: ts },
    { requiredKeys: ["type", "room", "seq", "ts", "by", "clientMsgId", "action", "user"] },
  ),
  fc.record({ ...eventBase, action: fc.constant("unmute" as const), user }),
  fc.record({ ...eventBase, action: fc.constant("kick" as const), user }),
  fc.record(
    { ...eventBase, action: fc.constant("ban" as const), user, durationMs: seq, until: ts, address: fc.boolean() },
    { requiredKeys: ["type", "room", "seq", "ts", "by", "clientMsgId", "action", "user"] },
  ),
  fc.record({ ...eventBase, action: fc.constant("unban" as const), user }),
  fc.record({ ...eventBase, action: fc.constant("slow-mode" as const), intervalMs: nat }),
  fc.record({ ...eventBase, action: fc.constant("lock" as const), locked: fc.boolean() }),
  fc.record(
    {
      ...eventBase,
      action: fc.constant("role" as const),
      user,
      role: roomRole,
      via: fc.constantFrom("key" as const, "invite" as const, "token" as const),
    },
    { requiredKeys: ["type", "room", "seq", "ts", "by", "clientMsgId", "action", "user", "role"] },
  ),
  fc.record({ ...eventBase, action: fc.constant("rename" as const), user, name: anyString, previousName: anyString }),
);
const pageEvent = fc.oneof(chatFrame, changeEvent, moderationEvent) as fc.Arbitrary<ChatFrame>;
const inviteInfo = fc.record(
  { id: shortId, role: roomRole, expiresAt: ts, maxUses: seq, uses: nat, revoked: fc.boolean(), createdBy: user, ts },
  { requiredKeys: ["id", "role", "uses", "revoked", "createdBy", "ts"] },
);
const reportInfo = fc.record(
  { id: shortId, target: seq, reason: anyString, by: user, ts, author: user, text: anyString },
  { requiredKeys: ["id", "target", "reason", "by", "ts"] },
);

export const validServerFrame: fc.Arbitrary<ServerFrame> = fc.oneof(
  fc.record({
    type: fc.constant("ready" as const),
    protocol: fc.constant(2 as const),
    you: user,
    session: anyString,
    rooms: fc.array(fc.record({ room: anyString, latestSeq: nat, readSeq: nat, unread: nat, unreadMentions: nat, notify: notifyLevel }), {
      maxLength: 4,
    }),
    limits: fc.record(
      {
        maxTextLength: seq,
        maxFrameBytes: seq,
        ratePerSecond: fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        burst: seq,
        maxRooms: seq,
        editWindowMs: seq,
        roomMentionMembersMax: seq,
      },
      { requiredKeys: ["maxTextLength", "maxFrameBytes", "ratePerSecond", "burst", "maxRooms", "roomMentionMembersMax"] },
    ),
  }),
  fc.record(
    {
      type: fc.constant("joined" as const),
      room: anyString,
      you: user,
      members: fc.array(user, { maxLength: 5 }),
      memberCount: nat,
      messages: fc.array(pageEvent, { maxLength: 5 }),
      latestSeq: nat,
      complete: fc.boolean(),
      readSeq: nat,
      unreadMentions: nat,
      notify: notifyLevel,
      role: fc.constantFrom("member" as const, "moderator" as const, "owner" as const, "admin" as const),
      private: fc.boolean(),
      locked: fc.boolean(),
      slowModeMs: nat,
      staff: fc.array(staffMember, { maxLength: 3 }),
      mutedUntil: fc.option(ts, { nil: null }),
      key: secret,
    },
    {
      requiredKeys: [
        "type",
        "room",
        "you",
        "members",
        "memberCount",
        "messages",
        "latestSeq",
        "complete",
        "readSeq",
        "unreadMentions",
        "notify",
        "role",
        "private",
        "locked",
        "slowModeMs",
        "staff",
      ],
    },
  ),
  fc.record(
    { type: fc.constant("left" as const), room: anyString, reason: fc.constantFrom("kicked" as const, "banned" as const), by: user },
    { requiredKeys: ["type", "room"] },
  ),
  chatFrame,
  changeEvent,
  moderationEvent,
  fc.record({ type: fc.constant("created" as const), room: anyString, clientMsgId: anyString, key: secret }),
  fc.record({ type: fc.constant("invite-created" as const), room: anyString, clientMsgId: anyString, invite: inviteInfo, code: secret }),
  fc.record({ type: fc.constant("invite-revoked" as const), room: anyString, clientMsgId: anyString, invite: shortId }),
  fc.record({ type: fc.constant("reported" as const), room: anyString, clientMsgId: anyString, report: shortId }),
  fc.record({ type: fc.constant("report" as const), room: anyString, report: reportInfo }),
  fc.record({ type: fc.constant("report-resolved" as const), room: anyString, report: shortId, by: user, clientMsgId: anyString }),
  fc.record({
    type: fc.constant("room-admin" as const),
    room: anyString,
    invites: fc.array(inviteInfo, { maxLength: 2 }),
    bans: fc.array(fc.record({ user, until: ts, address: fc.boolean(), by: user, ts }, { requiredKeys: ["user", "address", "by", "ts"] }), {
      maxLength: 2,
    }),
    mutes: fc.array(fc.record({ user, until: ts, by: user, ts }, { requiredKeys: ["user", "by", "ts"] }), { maxLength: 2 }),
    reports: fc.array(reportInfo, { maxLength: 2 }),
  }),
  fc.record({ type: fc.constant("authed" as const), exp: nat }),
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
  fc.record({
    type: fc.constant("history" as const),
    room: anyString,
    messages: fc.array(pageEvent, { maxLength: 5 }),
    hasOlder: fc.boolean(),
    hasNewer: fc.boolean(),
  }),
  fc.record({ type: fc.constant("notify" as const), room: anyString, level: notifyLevel }),
  fc.record(
    {
      type: fc.constant("search-results" as const),
      clientMsgId: anyString,
      results: fc.array(
        fc.record({ room: anyString, seq, from: user, ts, snippet: anyString, highlights: fc.array(fc.tuple(nat, nat), { maxLength: 3 }) }),
        { maxLength: 3 },
      ),
      next: searchCursor,
    },
    { requiredKeys: ["type", "clientMsgId", "results"] },
  ),
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
          "key",
          "invite",
          "token",
          "action",
          "user",
          "durationMs",
          "reason",
          "__proto__",
        ),
        anyString,
      ),
      fc.jsonValue({ maxDepth: 3 }),
      { maxKeys: 6 },
    ),
  )
  .map(([type, fields]) => ({ ...fields, type }));
