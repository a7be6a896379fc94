import { type RoomEvent, userSchema } from "@chatroom/protocol";
import { z } from "zod";
import { STORED_ROLES } from "./access-rules";

/**
 * The `moderation` room event ([4/6] §3), server-side until p4-proto's "protocol: [4/6]" lands
 * with the shared schema; then this file goes and its users import the protocol's. Flat, with the
 * fields each action carries optional, as the spec lists them.
 */
export const moderationEventSchema = z.strictObject({
  type: z.literal("moderation"),
  room: z.string(),
  seq: z.int().min(1),
  ts: z.int().nonnegative(),
  by: userSchema,
  clientMsgId: z.string(),
  action: z.enum(["mute", "unmute", "kick", "ban", "unban", "slow-mode", "lock", "role", "rename"]),
  user: userSchema.optional(),
  durationMs: z.int().positive().optional(),
  until: z.int().nonnegative().optional(),
  address: z.boolean().optional(),
  intervalMs: z.int().nonnegative().optional(),
  locked: z.boolean().optional(),
  role: z.enum(STORED_ROLES).optional(),
  via: z.enum(["invite", "key", "token"]).optional(),
  name: z.string().optional(),
  previousName: z.string().optional(),
});

export type ModerationEvent = z.infer<typeof moderationEventSchema>;

/** The event before the store gives it a place: everything but `type`, `room`, `seq` and `ts`. */
export type ModerationBody = Omit<ModerationEvent, "type" | "room" | "seq" | "ts">;

/** The event in the spec's key order, from its body and its place. */
export function moderationEventOf(room: string, seq: number, ts: number, body: ModerationBody): ModerationEvent {
  const { by, clientMsgId, action, ...rest } = body;
  return { type: "moderation", room, seq, ts, by: { id: by.id, name: by.name }, clientMsgId, action, ...rest };
}

/**
 * Interim, until p4-proto's "protocol: [4/6]" adds `moderation` to the protocol's `RoomEvent`:
 * the chat layer still speaks the [3/6] type, and a moderation event goes out as a room event of
 * a kind [3/6] clients step over (they advance past unknown kinds). Goes with this file.
 */
export function asRoomEvent<E extends StoredEventLike>(event: E): RoomEvent {
  return event as unknown as RoomEvent;
}

export function asRoomEvents<E extends StoredEventLike>(events: readonly E[]): RoomEvent[] {
  return events as unknown as RoomEvent[];
}

type StoredEventLike = RoomEvent | ModerationEvent;
