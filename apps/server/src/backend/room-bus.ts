import {
  chatFrameSchema,
  deleteEventSchema,
  editEventSchema,
  moderationEventSchema,
  type NotifyLevel,
  notifyLevelSchema,
  reactionEventSchema,
  type User,
  userSchema,
} from "@chatroom/protocol";
import { z } from "zod";
import { presenceChangeSchema } from "./cluster-presence";

/** A stored room event of any kind this build knows, checked strictly. */
export const storedEventSchema = z.discriminatedUnion("type", [
  chatFrameSchema,
  editEventSchema,
  deleteEventSchema,
  reactionEventSchema,
  moderationEventSchema,
]);

/** What crosses nodes. Each carries the id of the node that published it (`origin`). */
export const busEventSchema = z.discriminatedUnion("kind", [
  /** A stored event (chat, edit, deletion, reaction, moderation) another node appended. */
  z.object({ kind: z.literal("event"), origin: z.string(), event: storedEventSchema }),
  presenceChangeSchema.extend({ kind: z.literal("presence"), origin: z.string() }),
  // Ephemeral: never stored, and lost if a node misses it (typing expires by itself anyway).
  z.object({ kind: z.literal("typing"), origin: z.string(), user: userSchema, active: z.boolean() }),
  // Ephemeral too: a `report` or `report-resolved` frame, encoded, for the room's staff online on
  // every node (reports are not room events). Staff joining later read them in `room-admin`.
  z.object({ kind: z.literal("staff"), origin: z.string(), frame: z.string() }),
  // Ephemeral too: a user set their notification level for the room (stored already); their
  // connections joined to it on every node tell their pages ([5/6]).
  z.object({ kind: z.literal("notify"), origin: z.string(), userId: z.string(), level: notifyLevelSchema }),
]);

export type BusEvent = z.infer<typeof busEventSchema>;

export interface RoomBusHandlers {
  /** An event another node published for the room (never this node's own). */
  event(event: BusEvent): void;
  /**
   * The bus may have missed events (it lost its connection and is subscribed again): the room
   * reads what it may have missed from the message store. Called once the subscription is back.
   */
  resync(): void;
}

export type Unsubscribe = () => Promise<void>;

/**
 * The cross-node bus. Stored events and presence changes are published by the store and the
 * cluster presence themselves, atomically with the change; what is left to publish through the
 * bus is the ephemeral.
 */
export interface RoomBus {
  subscribe(room: string, handlers: RoomBusHandlers): Promise<Unsubscribe>;
  publishTyping(room: string, user: User, active: boolean): Promise<void>;
  /** An encoded frame for the room's staff on the other nodes. */
  publishStaff(room: string, frame: string): Promise<void>;
  /** A user's new notification level, for their connections joined to the room on the other nodes. */
  publishNotify(room: string, userId: string, level: NotifyLevel): Promise<void>;
}
