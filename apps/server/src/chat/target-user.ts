import type { User } from "@chatroom/protocol";
import type { Actor } from "../backend/access-state";
import type { RoomAccessStore } from "../backend/access-store";
import type { Room } from "./room/room";

export interface TargetLookup {
  room: string;
  /** The room if this node serves it: who is present here or on another node. */
  active: Room | undefined;
  access: RoomAccessStore;
  /** Staff (or admin): the room's staff state is theirs to read. */
  actor: Actor;
}

/**
 * The user a moderation names, as the room shows them: present (here or on another node), else
 * as the room's staff state knows them (roles, bans, mutes), else by id alone. The event's `user`
 * carries this name, so every member reads who was acted on.
 */
export async function targetUser(lookup: TargetLookup, userId: string): Promise<User> {
  const known = lookup.active?.knownUser(userId);
  if (known) return { id: known.id, name: known.name };
  const view = await lookup.access.roomAdmin({ room: lookup.room, actor: lookup.actor });
  if (view.ok && !view.duplicate) {
    const { roles, bans, mutes } = view.value;
    const found = roles.find((entry) => entry.id === userId) ?? [...bans, ...mutes].find((entry) => entry.user.id === userId)?.user;
    if (found) return { id: found.id, name: found.name };
  }
  return { id: userId, name: userId };
}
