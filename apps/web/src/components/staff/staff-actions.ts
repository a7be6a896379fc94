import { isStaff, outranks, type RoomAccess, roleOf } from "@chatroom/client";
import type { Role, User } from "@chatroom/protocol";

/** Staff may delete a message by a lower rank (their own is the author's right anyway). */
export function canDeleteAsStaff(access: RoomAccess, author: User, myId: string | undefined): boolean {
  return author.id !== myId && isStaff(access.role) && outranks(access.role, roleOf(access, author));
}

/** Why the composer is closed now, if it is: locked (for non-staff), muted, or slow mode's wait. */
export type ComposerBlock = { kind: "locked" } | { kind: "muted"; until: number | null } | { kind: "slow"; remainingMs: number };

export function composerBlock(access: RoomAccess, now: number): ComposerBlock | null {
  const staff = isStaff(access.role);
  if (access.locked && !staff) return { kind: "locked" };
  const { mutedUntil } = access;
  if (mutedUntil === null) return { kind: "muted", until: null };
  if (mutedUntil !== undefined && mutedUntil > now) return { kind: "muted", until: mutedUntil };
  if (!staff && access.slowModeMs > 0 && access.lastOwnChatAt > 0) {
    const remainingMs = access.lastOwnChatAt + access.slowModeMs - now;
    if (remainingMs > 0) return { kind: "slow", remainingMs };
  }
  return null;
}

/** The badge a user's name carries here, if any (members carry none). */
export function badgeRole(access: RoomAccess, user: Pick<User, "id" | "role">): Exclude<Role, "member"> | null {
  const role = roleOf(access, user);
  return role === "member" ? null : role;
}
