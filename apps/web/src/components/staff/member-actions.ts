import { isStaff, type ModerateRequest, outranks, type RoomAccess, roleOf } from "@chatroom/client";
import type { User } from "@chatroom/protocol";

// The member menu's rules, apart from staff-actions.ts: only staff load the menu's chunk.

/** The mute lengths the member menu offers; null: until unmuted. */
export const MUTE_CHOICES: readonly (number | null)[] = [10 * 60_000, 60 * 60_000, 24 * 60 * 60_000, null];

/** One entry of a member's menu: a moderation request, or one that needs a dialog first. */
export type MemberAction =
  | { kind: "mute"; durationMs: number | null }
  | { kind: "unmute" }
  | { kind: "kick" }
  | { kind: "ban" }
  | { kind: "role"; role: "member" | "moderator" | "owner" }
  | { kind: "rename" };

/**
 * What we may do to `target` in a room, by the rank rule: nothing to ourselves or to an equal or
 * higher rank; moderators and up mute, kick, ban and rename; owners and up change roles, up to
 * owner (the target's current role is not offered again). Pure: the server checks it all again.
 */
export function memberActions(access: RoomAccess, me: User | null, target: User): MemberAction[] {
  const mine = access.role;
  const theirs = roleOf(access, target);
  if (!me || me.id === target.id || !isStaff(mine) || !outranks(mine, theirs)) return [];
  const actions: MemberAction[] = MUTE_CHOICES.map((durationMs) => ({ kind: "mute", durationMs }));
  actions.push({ kind: "unmute" }, { kind: "kick" }, { kind: "ban" });
  if (outranks(mine, "moderator")) {
    for (const role of ["member", "moderator", "owner"] as const) if (role !== theirs) actions.push({ kind: "role", role });
  }
  actions.push({ kind: "rename" });
  return actions;
}

/** The moderation request an action sends (ban and rename take their dialog's answer). */
export function requestFor(action: Exclude<MemberAction, { kind: "ban" | "rename" }>, userId: string): ModerateRequest {
  switch (action.kind) {
    case "mute":
      return { action: "mute", user: userId, ...(action.durationMs !== null ? { durationMs: action.durationMs } : {}) };
    case "unmute":
      return { action: "unmute", user: userId };
    case "kick":
      return { action: "kick", user: userId };
    case "role":
      return { action: "role", user: userId, role: action.role };
  }
}
