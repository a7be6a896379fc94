import { type User, userSchema } from "@chatroom/protocol";
import { z } from "zod";

/** A membership change of a whole cluster: a user joined or left its last node, or was renamed. */
export const presenceChangeSchema = z.object({
  joined: z.array(userSchema),
  left: z.array(userSchema),
  renamed: z.array(z.object({ user: userSchema, previousName: z.string() })),
});

export type PresenceChange = z.infer<typeof presenceChangeSchema>;

/** A name a user may get, with its comparison keys (`nameKeys`, joined by NAME_KEY_SEPARATOR): names sharing a key clash. */
export interface NameCandidate {
  name: string;
  folded: string;
}

export interface RoomCount {
  name: string;
  memberCount: number;
}

/**
 * Presence shared by every node: who is in a room anywhere, which names are taken, and per-node
 * liveness so a crashed node's members leave. Single-node backends have none; there the room's
 * roster alone is the truth. Changes reach other nodes as `presence` events on the room bus.
 */
export interface ClusterPresence {
  /**
   * Marks the user present on this node and, if the user is not present anywhere yet, claims the
   * first free candidate. Resolves with the user's name in the room, or undefined when every
   * candidate is taken. Idempotent per (node, user).
   */
  join(room: string, userId: string, candidates: NameCandidate[]): Promise<string | undefined>;
  /** The user left this node; resolves true when it is still present on another node. */
  leave(room: string, userId: string): Promise<boolean>;
  /** Claims `name` for the user; false when someone else in the room holds it. */
  rename(room: string, userId: string, name: NameCandidate): Promise<boolean>;
  /** Everyone present in the room, on any node. */
  members(room: string): Promise<User[]>;
  /** Rooms with anyone present on any node, busiest first. */
  rooms(limit: number): Promise<RoomCount[]>;
}
