import { z } from "zod";
import { ERROR_CODE_LIST } from "./errors";
import { DEFAULT_LIMITS, PROTOCOL_VERSION, type ProtocolLimits } from "./limits";
import { CLIENT_MSG_ID_PATTERN, codePointLength, normalizeName, ROOM_PATTERN } from "./text";

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
    ctx.addIssue({ code: "custom", message: checked.reason });
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

export const userSchema = z.strictObject({ id: z.string(), name: z.string() });

/** Builds the client→server frame schemas for a given set of limits. */
export function createClientFrameSchema(
  limits: Pick<ProtocolLimits, "maxTextLength" | "maxNameLength" | "historyPageMax"> = DEFAULT_LIMITS,
) {
  return z.discriminatedUnion("type", [
    z.strictObject({
      type: z.literal("chat"),
      text: chatTextSchema(limits.maxTextLength),
      clientMsgId: clientMsgIdSchema,
    }),
    z.strictObject({ type: z.literal("typing"), active: z.boolean() }),
    z.strictObject({ type: z.literal("rename"), name: nameSchema(limits.maxNameLength) }),
    z.strictObject({
      type: z.literal("history"),
      before: seq,
      limit: z.int().min(1).max(limits.historyPageMax),
    }),
    z.strictObject({ type: z.literal("ping"), t: jsonNumber.optional() }),
  ]);
}

export const clientFrameSchema = createClientFrameSchema();
export type ClientFrame = z.infer<typeof clientFrameSchema>;
export type ClientFrameType = ClientFrame["type"];
export type ClientFrameOf<T extends ClientFrameType> = Extract<ClientFrame, { type: T }>;

export const chatFrameSchema = z.strictObject({
  type: z.literal("chat"),
  room: z.string(),
  seq: z.int().min(1),
  id: z.string(),
  from: userSchema,
  text: z.string(),
  ts: timestamp,
  clientMsgId: z.string(),
});
export type ChatFrame = z.infer<typeof chatFrameSchema>;
export type User = z.infer<typeof userSchema>;

export const welcomeLimitsSchema = z.strictObject({
  maxTextLength: z.int().positive(),
  maxFrameBytes: z.int().positive(),
  ratePerSecond: z.number().positive(),
  burst: z.int().positive(),
});
export type WelcomeLimits = z.infer<typeof welcomeLimitsSchema>;

export const serverFrameSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("welcome"),
    protocol: z.literal(PROTOCOL_VERSION),
    room: z.string(),
    you: userSchema,
    session: z.string(),
    members: z.array(userSchema),
    memberCount: count,
    messages: z.array(chatFrameSchema),
    latestSeq: seq,
    complete: z.boolean(),
    limits: welcomeLimitsSchema,
  }),
  chatFrameSchema,
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
  z.strictObject({ type: z.literal("ack"), clientMsgId: z.string(), seq: z.int().min(1), ts: timestamp }),
  z.strictObject({
    type: z.literal("history"),
    room: z.string(),
    messages: z.array(chatFrameSchema),
    hasOlder: z.boolean(),
  }),
  z.strictObject({
    type: z.literal("error"),
    code: z.enum(ERROR_CODE_LIST),
    message: z.string(),
    clientMsgId: z.string().optional(),
    retryAfterMs: count.optional(),
  }),
  z.strictObject({ type: z.literal("pong"), t: jsonNumber.optional() }),
]);
export type ServerFrame = z.infer<typeof serverFrameSchema>;
export type ServerFrameType = ServerFrame["type"];
export type ServerFrameOf<T extends ServerFrameType> = Extract<ServerFrame, { type: T }>;
export type WelcomeFrame = ServerFrameOf<"welcome">;
export type SystemFrame = ServerFrameOf<"system">;
export type ErrorFrame = ServerFrameOf<"error">;

export const CLIENT_FRAME_TYPES = clientFrameSchema.options.map((option) => option.shape.type.value);
export const SERVER_FRAME_TYPES = serverFrameSchema.options.map((option) => option.shape.type.value);
