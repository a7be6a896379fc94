import { z } from "zod";
import { timestamp } from "./frame-fields";
import { mentionFieldsSchema } from "./mentions";
import { type ModerationEvent, moderationEventSchema, unknownModerationEventSchema } from "./moderation";
import { userSchema } from "./users";

// The stored room events (chats and the changes to them) as the server sends them, live and in pages.

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
export const pageEventSchema = z.union([
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
