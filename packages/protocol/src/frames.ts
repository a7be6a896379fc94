import { z } from "zod";
import {
  banInfoSchema,
  inviteIdSchema,
  inviteInfoSchema,
  jwtSchema,
  muteInfoSchema,
  reportIdSchema,
  reportInfoSchema,
  reportReasonSchema,
  secretSchema,
} from "./access";
import { normalizeEmoji } from "./emoji";
import { ERROR_CODE_LIST } from "./errors";
import { DEFAULT_LIMITS, PROTOCOL_VERSION, type ProtocolLimits } from "./limits";
import { mentionFieldsSchema } from "./mentions";
import type { ModerationEvent } from "./moderation";
import { moderateFrameSchema, moderationEventSchema, unknownModerationEventSchema } from "./moderation";
import { roleSchema, roomRoleSchema } from "./roles";
import { searchCursorSchema, searchHitSchema } from "./search";
import { CLIENT_MSG_ID_PATTERN, codePointLength, normalizeName, ROOM_PATTERN, SESSION_PATTERN } from "./text";
import { staffMemberSchema, userSchema } from "./users";

/** The message `decode` reports for a text over the limit, so it can answer `too_long`. */
export const TEXT_TOO_LONG = "text is too long";

/**
 * JSON text can spell -0 ("-0", "-0.0", or "-5e-424", which underflows), but JSON.stringify
 * writes -0 as "0". So every number decodes with -0 read as 0, and a decoded frame encodes
 * and decodes again to itself. NaN and the infinities cannot arrive: zod refuses them.
 */
function withoutNegativeZero(schema: z.ZodType<number>) {
  return schema.transform((n) => (n === 0 ? 0 : n));
}

const seq = withoutNegativeZero(z.int().min(0));
const count = seq;
const timestamp = withoutNegativeZero(z.number().int().nonnegative());
const jsonNumber = withoutNegativeZero(z.number());

export const roomSchema = z.string().regex(ROOM_PATTERN, "room must match ^[a-z0-9][a-z0-9_-]{0,31}$");
export const clientMsgIdSchema = z.string().regex(CLIENT_MSG_ID_PATTERN, "clientMsgId must match ^[A-Za-z0-9_-]{1,64}$");

export function nameSchema(maxLength: number = DEFAULT_LIMITS.maxNameLength) {
  return z.string().transform((raw, ctx) => {
    const checked = normalizeName(raw, maxLength);
    if (checked.ok) return checked.name;
    // The problem rides along so the codec can tell a refused name (mixed scripts) from a malformed one.
    ctx.addIssue({ code: "custom", message: checked.reason, params: { nameProblem: checked.problem } });
    return z.NEVER;
  });
}

export function chatTextSchema(maxTextLength: number = DEFAULT_LIMITS.maxTextLength) {
  // The limit applies after trimming, so padding around a text of exactly the limit is fine.
  // A code point is at most two UTF-16 units: twice the limit in units is over it without counting.
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    if (text.length === 0) ctx.addIssue({ code: "custom", message: "text is empty" });
    else if (text.length > maxTextLength * 2 || codePointLength(text) > maxTextLength) {
      ctx.addIssue({ code: "custom", message: TEXT_TOO_LONG });
    }
    return text;
  });
}

/** One emoji (see emoji.ts), normalized to its RGI form. */
export const emojiSchema = z.string().transform((raw, ctx) => {
  const emoji = normalizeEmoji(raw);
  if (emoji !== null) return emoji;
  ctx.addIssue({ code: "custom", message: "emoji must be exactly one emoji" });
  return z.NEVER;
});

/** The `seq` of a chat in the same room: what `edit`, `delete`, `react` and `replyTo` point at. */
const targetSeq = withoutNegativeZero(z.int().min(1));

/**
 * A `history` request names exactly one point: `before` pages back through older chats, `after`
 * reads the room's events forward (how a client fills a gap), `around` loads the chats on both
 * sides of one `seq` (how a link to a message opens).
 */
function historyRequestSchema(historyPageMax: number) {
  return z
    .strictObject({
      type: z.literal("history"),
      room: roomSchema,
      before: seq.optional(),
      after: seq.optional(),
      around: z.int().min(1).optional(),
      limit: z.int().min(1).max(historyPageMax),
    })
    .refine((frame) => [frame.before, frame.after, frame.around].filter((point) => point !== undefined).length === 1, {
      message: "history needs exactly one of before, after and around",
      path: ["before"],
    });
}

/** How much of a room notifies this user: every chat, chats that mention them (the default), or none. */
export const notifyLevelSchema = z.enum(["all", "mentions", "none"]);
export type NotifyLevel = z.infer<typeof notifyLevelSchema>;
export const DEFAULT_NOTIFY_LEVEL: NotifyLevel = "mentions";

function searchQueryTextSchema(maxLength: number) {
  // Checked loosely here (a string of sane size); `parseSearchQuery` gives the reasons, as `bad_query`.
  return z.string().max(maxLength * 2);
}

/** Builds the client→server frame schemas for a given set of limits. */
export function createClientFrameSchema(
  limits: Pick<
    ProtocolLimits,
    "maxTextLength" | "maxNameLength" | "historyPageMax" | "maxReportReasonLength" | "searchQueryMaxLength" | "searchPageMax"
  > = DEFAULT_LIMITS,
) {
  const name = nameSchema(limits.maxNameLength);
  return z.discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("hello"),
      // Any integer: a value other than 2 is answered with `unsupported_protocol`, not `bad_frame`.
      protocol: z.int(),
      session: z.string().regex(SESSION_PATTERN, "session is not a valid token").optional(),
      name: name.optional(),
      /** A host app's JWT (`AUTH=jwt`). In a frame, never in the URL. */
      token: jwtSchema.optional(),
      /** The server admin's key, from an admin link's fragment. */
      adminKey: secretSchema.optional(),
    }),
    z
      .strictObject({
        type: z.literal("join"),
        room: roomSchema,
        since: seq.optional(),
        /** A pass for this room: an owner link's key, or the one a redeemed invite gave. */
        key: secretSchema.optional(),
        /** An invite code, redeemed once: `joined.key` carries the pass it gives. */
        invite: secretSchema.optional(),
      })
      .refine((frame) => frame.key === undefined || frame.invite === undefined, {
        message: "join takes a key or an invite, not both",
        path: ["invite"],
      }),
    z.strictObject({ type: z.literal("create"), room: roomSchema, private: z.boolean(), clientMsgId: clientMsgIdSchema }),
    moderateFrameSchema(name),
    z.strictObject({
      type: z.literal("report"),
      room: roomSchema,
      target: targetSeq,
      reason: reportReasonSchema(limits.maxReportReasonLength),
      clientMsgId: clientMsgIdSchema,
    }),
    z.strictObject({ type: z.literal("resolve-report"), room: roomSchema, report: reportIdSchema, clientMsgId: clientMsgIdSchema }),
    z.strictObject({
      type: z.literal("invite"),
      room: roomSchema,
      role: roomRoleSchema.exclude(["owner"]),
      expiresInMs: z
        .int()
        .min(60_000)
        .max(366 * 24 * 60 * 60 * 1000)
        .optional(),
      maxUses: z.int().min(1).max(10_000).optional(),
      clientMsgId: clientMsgIdSchema,
    }),
    z.strictObject({ type: z.literal("revoke-invite"), room: roomSchema, invite: inviteIdSchema, clientMsgId: clientMsgIdSchema }),
    z.strictObject({ type: z.literal("room-admin"), room: roomSchema }),
    z.strictObject({ type: z.literal("auth"), token: jwtSchema }),
    z.strictObject({ type: z.literal("leave"), room: roomSchema }),
    z.strictObject({
      type: z.literal("chat"),
      room: roomSchema,
      text: chatTextSchema(limits.maxTextLength),
      clientMsgId: clientMsgIdSchema,
      replyTo: targetSeq.optional(),
    }),
    z.strictObject({
      type: z.literal("edit"),
      room: roomSchema,
      target: targetSeq,
      text: chatTextSchema(limits.maxTextLength),
      clientMsgId: clientMsgIdSchema,
    }),
    z.strictObject({ type: z.literal("delete"), room: roomSchema, target: targetSeq, clientMsgId: clientMsgIdSchema }),
    z.strictObject({
      type: z.literal("react"),
      room: roomSchema,
      target: targetSeq,
      emoji: emojiSchema,
      on: z.boolean(),
      clientMsgId: clientMsgIdSchema,
    }),
    z.strictObject({ type: z.literal("typing"), room: roomSchema, active: z.boolean() }),
    z.strictObject({ type: z.literal("rename"), name: nameSchema(limits.maxNameLength) }),
    historyRequestSchema(limits.historyPageMax),
    z.strictObject({ type: z.literal("read"), room: roomSchema, seq }),
    /** Sets how much of a joined room notifies this user; stored with the membership. */
    z.strictObject({ type: z.literal("notify"), room: roomSchema, level: notifyLevelSchema }),
    /** Searches one room (`room`, or `in:` in the query) or every room the user may read. */
    z.strictObject({
      type: z.literal("search"),
      clientMsgId: clientMsgIdSchema,
      query: searchQueryTextSchema(limits.searchQueryMaxLength),
      room: roomSchema.optional(),
      limit: z.int().min(1).max(limits.searchPageMax).optional(),
      /** `next` of the previous page. */
      cursor: searchCursorSchema.optional(),
    }),
    z.strictObject({ type: z.literal("ping"), t: jsonNumber.optional() }),
  ]);
}

// `@__PURE__` (here, on the frame-type lists below, and on codec.ts's default client codec): a
// browser never decodes a client frame, so its bundle drops the client schemas (issue 12's budget).
export const clientFrameSchema = /* @__PURE__ */ createClientFrameSchema();
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientFrameType = ClientFrame["type"];
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;
/** Client frames that name a room, and so are answered `not_joined` for a room not joined. */
export type RoomClientFrame = Extract<ClientFrame, { room: string }>;
/** Client frames that change a room's log: each is acked, deduplicated and rate limited like a chat. */
export type ChangeClientFrame = ClientFrameOf<"chat" | "edit" | "delete" | "react">;
/** Frames acked like a chat (`ack` with the seq of the event they stored): the changes, `moderate` and `create`. */
export type AckedClientFrame = ChangeClientFrame | ClientFrameOf<"moderate" | "create">;

/** What a reply shows of its target: the first `replyQuoteLength` code points, or that it was deleted. */
export const replyQuoteSchema = z.union([
  z.strictObject({ seq: z.int().min(1), from: userSchema, text: z.string() }),
  z.strictObject({ seq: z.int().min(1), deleted: z.literal(true) }),
]);
export type ReplyQuote = z.infer<typeof replyQuoteSchema>;

export const reactionSummarySchema = z.strictObject({
  emoji: z.string(),
  /** Exact. */
  count: z.int().min(1),
  /** At most `reactionUsersListed` user ids, in the order they reacted. */
  users: z.array(z.string()),
});
export type ReactionSummary = z.infer<typeof reactionSummarySchema>;

/**
 * A chat. Live, it is the message as sent (`rev` absent: it equals `seq`). In `joined.messages`
 * and `history.messages` it is the message as it stands: `rev` is the `seq` of the last event
 * that changed it, `edited` and `reactions` say how; a deleted chat has no `text`, `reactions`
 * or `replyTo`, and carries `deleted` instead.
 */
export const chatFrameSchema = z.strictObject({
  type: z.literal("chat"),
  room: z.string(),
  seq: z.int().min(1),
  id: z.string(),
  from: userSchema,
  text: z.string().optional(),
  ts: timestamp,
  clientMsgId: z.string(),
  replyTo: replyQuoteSchema.optional(),
  rev: z.int().min(1).optional(),
  edited: z.strictObject({ ts: timestamp }).optional(),
  deleted: z.strictObject({ by: userSchema, ts: timestamp }).optional(),
  reactions: z.array(reactionSummarySchema).optional(),
  ...mentionFieldsSchema,
});
export type ChatFrame = z.infer<typeof chatFrameSchema>;

/** An edit of chat `target`. `text` is absent only in a page, when the chat has since been deleted. */
export const editEventSchema = z.strictObject({
  type: z.literal("edit"),
  room: z.string(),
  seq: z.int().min(1),
  ts: timestamp,
  target: z.int().min(1),
  text: z.string().optional(),
  by: userSchema,
  clientMsgId: z.string(),
  /** The new text's mentions (absent in a page when the chat has since been deleted). */
  ...mentionFieldsSchema,
});
export const deleteEventSchema = z.strictObject({
  type: z.literal("delete"),
  room: z.string(),
  seq: z.int().min(1),
  ts: timestamp,
  target: z.int().min(1),
  by: userSchema,
  clientMsgId: z.string(),
});
/** Sets (`on`) or clears one user's one emoji on chat `target`; every stored one changes the state. */
export const reactionEventSchema = z.strictObject({
  type: z.literal("reaction"),
  room: z.string(),
  seq: z.int().min(1),
  ts: timestamp,
  target: z.int().min(1),
  emoji: z.string(),
  on: z.boolean(),
  by: userSchema,
  clientMsgId: z.string(),
});
export type EditEvent = z.infer<typeof editEventSchema>;
export type DeleteEvent = z.infer<typeof deleteEventSchema>;
export type ReactionEvent = z.infer<typeof reactionEventSchema>;
/** An event that changes a chat the room already has. */
export type ChangeEvent = EditEvent | DeleteEvent | ReactionEvent;
/** Every kind of stored room event this build knows, each with the room's next `seq`. */
export type RoomEvent = ChatFrame | ChangeEvent | ModerationEvent;
export const ROOM_EVENT_TYPES = ["chat", "edit", "delete", "reaction", "moderation"] as const;

export const readyLimitsSchema = z.strictObject({
  maxTextLength: z.int().positive(),
  maxFrameBytes: z.int().positive(),
  ratePerSecond: z.number().positive(),
  burst: z.int().positive(),
  maxRooms: z.int().positive(),
  /** How long after sending its author may edit a chat; absent: no limit. */
  editWindowMs: z.int().positive().optional(),
  /** In a room with more members than this, only staff's `@room` mentions everyone. */
  roomMentionMembersMax: z.int().positive(),
});
export type ReadyLimits = z.infer<typeof readyLimitsSchema>;

/** One of the user's memberships, as `ready` lists them. */
export const membershipSchema = z.strictObject({
  room: z.string(),
  latestSeq: seq,
  readSeq: seq,
  unread: count,
  /** Of `unread`: the chats that mention you (by name or `@room`). */
  unreadMentions: count,
  notify: notifyLevelSchema,
});
export type MembershipEntry = z.infer<typeof membershipSchema>;

/**
 * A stored room event of a kind this build does not know (a newer server's). Every stored event
 * takes the room's next `seq`, so a client must advance its position over it even though it
 * cannot show it; decoders hand it over in this form instead of failing.
 */
export const unknownRoomEventSchema = z.looseObject({ type: z.string(), room: z.string(), seq: z.int().min(1) });
/**
 * The kind an unknown event stands for. An `UnknownRoomEvent` encoded and decoded again keeps the
 * kind it had, so decoding stays a fixed point (a client may store pages as it decoded them).
 */
function unknownEventType(event: { type: string; eventType?: unknown }): string {
  return event.type === "unknown-event" && typeof event.eventType === "string" ? event.eventType : event.type;
}

export interface UnknownRoomEvent {
  type: "unknown-event";
  /** The `type` the server sent. */
  eventType: string;
  room: string;
  seq: number;
}

/**
 * An event in a page (`joined.messages`, `history.messages`): a known kind, checked strictly, or
 * an unknown kind with a `room` and a `seq`, handed over as an `UnknownRoomEvent`.
 */
const pageEventSchema = z.union([
  chatFrameSchema,
  editEventSchema,
  deleteEventSchema,
  reactionEventSchema,
  moderationEventSchema,
  unknownRoomEventSchema
    .refine((event) => !(ROOM_EVENT_TYPES as readonly string[]).includes(event.type), { message: "invalid room event" })
    .transform(
      (event): UnknownRoomEvent => ({ type: "unknown-event", eventType: unknownEventType(event), room: event.room, seq: event.seq }),
    ),
  unknownModerationEventSchema.transform(
    (event): UnknownRoomEvent => ({ type: "unknown-event", eventType: "moderation", room: event.room, seq: event.seq }),
  ),
]);
export type PageEvent = z.infer<typeof pageEventSchema>;

const historyPageSchema = z
  .strictObject({
    type: z.literal("history"),
    room: z.string(),
    /** Answer to `before` and `around`: chats as they stand. Answer to `after`: every event, chats as they stand. */
    messages: z.array(pageEventSchema),
    /** Answer to `before` and `around`: older chats exist. */
    hasOlder: z.boolean().optional(),
    /** Answer to `after` and `around`: newer events exist (up to what this connection has been sent). */
    hasNewer: z.boolean().optional(),
  })
  .refine((frame) => frame.hasOlder !== undefined || frame.hasNewer !== undefined, {
    message: "history carries hasOlder, hasNewer or both",
    path: ["hasOlder"],
  });

export const serverFrameSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("ready"),
    protocol: z.literal(PROTOCOL_VERSION),
    you: userSchema,
    session: z.string(),
    rooms: z.array(membershipSchema),
    limits: readyLimitsSchema,
    /** This connection holds the server admin's key: it moderates every room. */
    admin: z.literal(true).optional(),
  }),
  z.strictObject({
    type: z.literal("joined"),
    room: z.string(),
    you: userSchema,
    members: z.array(userSchema),
    memberCount: count,
    /** Without `since`: the newest chats as they stand. With `since`: every event after it, chats as they stand. */
    messages: z.array(pageEventSchema),
    latestSeq: seq,
    complete: z.boolean(),
    readSeq: seq,
    /** Chats after `readSeq` that mention you. */
    unreadMentions: count,
    notify: notifyLevelSchema,
    /** Your effective role here: the highest of what the room stores, your pass, your token and the admin key. */
    role: roleSchema,
    /** Members only: joining takes a pass, an invite or a token that names the room. */
    private: z.boolean(),
    /** Read-only for all but staff. */
    locked: z.boolean(),
    /** The least time between one member's chats; 0: off. Staff are exempt. */
    slowModeMs: count,
    /** Every moderator and owner the room stores, online or not, so a client badges names anywhere. */
    staff: z.array(staffMemberSchema),
    /** You are muted: until this time, or null for good. Absent: not muted. */
    mutedUntil: timestamp.nullable().optional(),
    /** The pass a redeemed invite gave: keep it to join again from any tab. Sent once, here only. */
    key: secretSchema.optional(),
  }),
  /** You left, or were removed: `reason` and `by` say who removed you. */
  z.strictObject({ type: z.literal("left"), room: z.string(), reason: z.enum(["kicked", "banned"]).optional(), by: userSchema.optional() }),
  chatFrameSchema,
  editEventSchema,
  deleteEventSchema,
  reactionEventSchema,
  moderationEventSchema,
  /** Answer to `create`, before its ack: the owner's pass, sent once. The owner link is `/r/<room>#key=<key>`. */
  z.strictObject({ type: z.literal("created"), room: z.string(), clientMsgId: z.string(), key: secretSchema }),
  /** Answer to `invite`: `code` is sent once; the link is `/r/<room>#invite=<code>`. */
  z.strictObject({
    type: z.literal("invite-created"),
    room: z.string(),
    clientMsgId: z.string(),
    invite: inviteInfoSchema,
    code: secretSchema,
  }),
  z.strictObject({ type: z.literal("invite-revoked"), room: z.string(), clientMsgId: z.string(), invite: inviteIdSchema }),
  /** Answer to `report`, to the reporter. */
  z.strictObject({ type: z.literal("reported"), room: z.string(), clientMsgId: z.string(), report: reportIdSchema }),
  /** A new report, to the room's staff online. */
  z.strictObject({ type: z.literal("report"), room: z.string(), report: reportInfoSchema }),
  /** A report resolved, to the room's staff online; `clientMsgId` is the resolver's. */
  z.strictObject({ type: z.literal("report-resolved"), room: z.string(), report: reportIdSchema, by: userSchema, clientMsgId: z.string() }),
  /** Answer to `room-admin`, staff only: what the room's staff manage that is not in the log. */
  z.strictObject({
    type: z.literal("room-admin"),
    room: z.string(),
    invites: z.array(inviteInfoSchema),
    bans: z.array(banInfoSchema),
    mutes: z.array(muteInfoSchema),
    reports: z.array(reportInfoSchema),
  }),
  /** Answer to `notify`, to each of the user's connections in the room (every tab follows). */
  z.strictObject({ type: z.literal("notify"), room: z.string(), level: notifyLevelSchema }),
  /** Answer to `search`: newest first; `next` is there when more results exist. */
  z.strictObject({
    type: z.literal("search-results"),
    clientMsgId: z.string(),
    results: z.array(searchHitSchema),
    next: searchCursorSchema.optional(),
  }),
  /** Answer to `auth`: the new token is in force until `exp` (seconds since the epoch, as in the JWT). */
  z.strictObject({ type: z.literal("authed"), exp: count }),
  z.strictObject({
    type: z.literal("system"),
    room: z.string(),
    ts: timestamp,
    joined: z.array(userSchema),
    left: z.array(userSchema),
    renamed: z.array(z.strictObject({ user: userSchema, previousName: z.string() })),
    memberCount: count,
    notice: z.string().optional(),
  }),
  z.strictObject({ type: z.literal("typing"), room: z.string(), user: userSchema, active: z.boolean() }),
  z.strictObject({ type: z.literal("ack"), room: z.string(), clientMsgId: z.string(), seq: z.int().min(1), ts: timestamp }),
  historyPageSchema,
  z.strictObject({
    type: z.literal("error"),
    code: z.enum(ERROR_CODE_LIST),
    message: z.string(),
    room: z.string().optional(),
    clientMsgId: z.string().optional(),
    retryAfterMs: count.optional(),
  }),
  z.strictObject({ type: z.literal("pong"), t: jsonNumber.optional() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerFrameType = ServerFrame["type"];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
export type ReadyFrame = ServerFrameOf<"ready">;
export type JoinedFrame = ServerFrameOf<"joined">;
export type SystemFrame = ServerFrameOf<"system">;
export type ErrorFrame = ServerFrameOf<"error">;
export type HistoryFrame = ServerFrameOf<"history">;
export type LeftFrame = ServerFrameOf<"left">;

/** An option of a frame union: a frame schema, or a union of one frame type's variants (by `action`). */
interface FrameOption {
  shape?: { type: { value: string } };
  options?: ReadonlyArray<{ shape: { type: { value: string } } }>;
}

/** The `type` each option of a frame union stands for. */
export function frameTypeOf(option: FrameOption): string {
  const type = option.shape?.type.value ?? option.options?.[0]?.shape.type.value;
  if (type === undefined) throw new Error("a frame union option without a literal type");
  return type;
}

export const CLIENT_FRAME_TYPES = /* @__PURE__ */ (clientFrameSchema.options as readonly FrameOption[]).map(
  frameTypeOf,
) as ClientFrameType[];
export const SERVER_FRAME_TYPES = /* @__PURE__ */ (serverFrameSchema.options as readonly FrameOption[]).map(
  frameTypeOf,
) as ServerFrameType[];
