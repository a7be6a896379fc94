import { z } from "zod";
import { durationMsSchema, MODERATION_EVENT_ACTIONS, roleSourceSchema, slowModeIntervalSchema, userIdSchema } from "./access";
import { roomRoleSchema } from "./roles";
import { CLIENT_MSG_ID_PATTERN, ROOM_PATTERN } from "./text";
import { userSchema } from "./users";

/**
 * Moderation on the wire: the `moderate` frame staff send, and the `moderation` event every
 * member receives with the room's next `seq`. Both are discriminated by `action`.
 */

const room = z.string().regex(ROOM_PATTERN, "room must match ^[a-z0-9][a-z0-9_-]{0,31}$");
const clientMsgId = z.string().regex(CLIENT_MSG_ID_PATTERN, "clientMsgId must match ^[A-Za-z0-9_-]{1,64}$");
const timestamp = z.int().min(0);

/** `name`: the server's name rule (configurable length), for `rename`. */
export function moderateFrameSchema(name: z.ZodType<string, string>) {
  const base = { type: z.literal("moderate"), room, clientMsgId };
  const user = userIdSchema;
  return z.discriminatedUnion("action", [
    /** `durationMs` absent: for good. */
    z.strictObject({ ...base, action: z.literal("mute"), user, durationMs: durationMsSchema.optional() }),
    z.strictObject({ ...base, action: z.literal("unmute"), user }),
    z.strictObject({ ...base, action: z.literal("kick"), user }),
    /** `address`: also ban the network address the user last came from (stored keyed, never in clear). */
    z.strictObject({ ...base, action: z.literal("ban"), user, durationMs: durationMsSchema.optional(), address: z.boolean().optional() }),
    z.strictObject({ ...base, action: z.literal("unban"), user }),
    /** 0 turns slow mode off. */
    z.strictObject({ ...base, action: z.literal("slow-mode"), intervalMs: slowModeIntervalSchema }),
    z.strictObject({ ...base, action: z.literal("lock"), locked: z.boolean() }),
    z.strictObject({ ...base, action: z.literal("role"), user, role: roomRoleSchema }),
    z.strictObject({ ...base, action: z.literal("rename"), user, name }),
  ]);
}

const eventBase = {
  type: z.literal("moderation"),
  room: z.string(),
  seq: z.int().min(1),
  ts: timestamp,
  /** Who acted. For a role gained with a pass, an invite or a token, the user themself. */
  by: userSchema,
  clientMsgId: z.string(),
};

/** A known moderation action, as stored and fanned out. `until`: when a timed mute or ban ends. */
export const moderationEventSchema = z.discriminatedUnion("action", [
  z.strictObject({ ...eventBase, action: z.literal("create"), private: z.boolean() }),
  z.strictObject({
    ...eventBase,
    action: z.literal("mute"),
    user: userSchema,
    durationMs: z.int().min(1).optional(),
    until: timestamp.optional(),
  }),
  z.strictObject({ ...eventBase, action: z.literal("unmute"), user: userSchema }),
  z.strictObject({ ...eventBase, action: z.literal("kick"), user: userSchema }),
  z.strictObject({
    ...eventBase,
    action: z.literal("ban"),
    user: userSchema,
    durationMs: z.int().min(1).optional(),
    until: timestamp.optional(),
    address: z.boolean().optional(),
  }),
  z.strictObject({ ...eventBase, action: z.literal("unban"), user: userSchema }),
  z.strictObject({ ...eventBase, action: z.literal("slow-mode"), intervalMs: z.int().min(0) }),
  z.strictObject({ ...eventBase, action: z.literal("lock"), locked: z.boolean() }),
  z.strictObject({ ...eventBase, action: z.literal("role"), user: userSchema, role: roomRoleSchema, via: roleSourceSchema.optional() }),
  z.strictObject({ ...eventBase, action: z.literal("rename"), user: userSchema, name: z.string(), previousName: z.string() }),
]);
export type ModerationEvent = z.infer<typeof moderationEventSchema>;
export type ModerationEventAction = ModerationEvent["action"];

/**
 * A moderation event whose `action` a newer server added. It still takes a `seq`, so a client
 * steps over it as it does over an unknown event kind.
 */
export const unknownModerationEventSchema = z
  .looseObject({ type: z.literal("moderation"), room: z.string(), seq: z.int().min(1), action: z.string() })
  .refine((event) => !(MODERATION_EVENT_ACTIONS as readonly string[]).includes(event.action), { message: "invalid moderation event" });
