import { z } from "zod";
import { banInfoSchema, inviteIdSchema, inviteInfoSchema, muteInfoSchema, reportIdSchema, reportInfoSchema, secretSchema } from "./access";
import { ERROR_CODE_LIST } from "./errors";
import { count, jsonNumber, notifyLevelSchema, seq, timestamp } from "./frame-fields";
import { PROTOCOL_VERSION } from "./limits";
import { moderationEventSchema } from "./moderation";
import { roleSchema } from "./roles";
import { chatFrameSchema, deleteEventSchema, editEventSchema, pageEventSchema, reactionEventSchema } from "./room-events";
import { searchCursorSchema, searchHitSchema } from "./search";
import { staffMemberSchema, userSchema } from "./users";

// The server→client frames: the page decodes every one of them.

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
