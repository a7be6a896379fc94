import { z } from "zod";
import { inviteIdSchema, jwtSchema, reportIdSchema, reportReasonSchema, secretSchema } from "./access";
import {
  chatTextSchema,
  clientMsgIdSchema,
  emojiSchema,
  jsonNumber,
  nameSchema,
  notifyLevelSchema,
  roomSchema,
  seq,
  targetSeq,
} from "./frame-fields";
import { DEFAULT_LIMITS, type ProtocolLimits } from "./limits";
import { moderateFrameSchema } from "./moderation";
import { roomRoleSchema } from "./roles";
import { searchCursorSchema } from "./search";
import { SESSION_PATTERN } from "./text";

// The client→server frames. A page never decodes one: nothing here may run at load time outside a
// `/* @__PURE__ */` call, or the page's bundle carries it (see `clientFrameSchema`).

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

// `@__PURE__` (here, on the frame-type lists in frames.ts, and on codec.ts's default client codec):
// a browser never decodes a client frame, so its bundle drops the client schemas (issue 12's budget).
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
