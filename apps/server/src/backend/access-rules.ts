/**
 * Who may do what in a room, as pure functions over plain values (spec [4/6] §1 and §4). Every
 * store calls these inside the atomic step that assigns the seq (memory, SQLite, and PostgreSQL on
 * rows read in the tick's transaction); `access-rules.test.ts` holds them to a small reference
 * model. Nothing here reads a clock: `now` comes from the store's injected one.
 */

import { type Role, type RoomRole, rankOf } from "@chatroom/protocol";

export { ROLES, type Role, rankOf } from "@chatroom/protocol";
/** What a room can store for a user or a pass: every role but `admin` (the protocol's room role). */
export type StoredRole = RoomRole;
export const STORED_ROLES = ["member", "moderator", "owner"] as const satisfies readonly StoredRole[];

export function higherRole<R extends Role>(a: R, b: R): R {
  return rankOf(a) >= rankOf(b) ? a : b;
}

export function isStaff<R extends Role>(role: R): role is Exclude<R, "member"> {
  return rankOf(role) >= rankOf("moderator");
}

/**
 * A user's effective role in a room: the highest of the role stored for (room, user), the role a
 * host app's token claims, and `admin` for the server admin. No stored role reads as member.
 */
export function effectiveRole(input: { stored?: StoredRole; claimed?: StoredRole; admin?: boolean }): Role {
  if (input.admin) return "admin";
  return higherRole(input.stored ?? "member", input.claimed ?? "member");
}

/** Why an access check refused; each is an error code of the protocol ([4/6] §3). */
export type AccessRefusalCode = "forbidden" | "banned" | "muted" | "locked" | "slow_mode" | "room_exists" | "invite_invalid";

export interface AccessRefusal {
  ok: false;
  code: AccessRefusalCode;
  message: string;
  /** `muted` for a time and `slow_mode`: how long until the actor may send again. */
  retryAfterMs?: number;
}

export const ACCESS_REFUSALS = {
  banned: { ok: false, code: "banned", message: "you are banned from this room" },
  notMember: { ok: false, code: "forbidden", message: "this room is private: members only" },
  locked: { ok: false, code: "locked", message: "the room is locked: only staff may write" },
  notStaff: { ok: false, code: "forbidden", message: "only the room's moderators and owners may do that" },
  rank: { ok: false, code: "forbidden", message: "you may only act on users of a lower rank" },
  rolesByOwners: { ok: false, code: "forbidden", message: "only owners change roles" },
  roleAboveYours: { ok: false, code: "forbidden", message: "you may not give a role higher than an owner's or your own" },
  lastOwner: { ok: false, code: "forbidden", message: "the room must keep an owner" },
  moderatorInvites: { ok: false, code: "forbidden", message: "only owners invite moderators" },
  roomExists: { ok: false, code: "room_exists", message: "a room with that name exists already" },
  inviteInvalid: { ok: false, code: "invite_invalid", message: "the invite is unknown, expired, used up or revoked" },
  noSuchInvite: { ok: false, code: "forbidden", message: "there is no such invite in this room" },
  noSuchReport: { ok: false, code: "forbidden", message: "there is no such open report in this room" },
} as const satisfies Record<string, AccessRefusal>;

/** A ban or a mute: for good (`until` absent) or until a time. */
export interface Timed {
  until?: number;
}

export function isActive(entry: Timed | undefined, now: number): boolean {
  return entry !== undefined && (entry.until === undefined || entry.until > now);
}

/** What the gate of a change needs to know about the room and the actor, read in the same atomic step. */
export interface GateInput {
  kind: "chat" | "edit" | "delete" | "react" | "moderate" | "report";
  now: number;
  /** The actor's effective role. */
  role: Role;
  /** A stored role (any) for (room, actor), a claimed role, or admin: what admits to a private room. */
  member: boolean;
  room: { private: boolean; locked: boolean; slowModeMs: number };
  /** The actor's ban by user id, and the ban on the address it comes from (either may be expired). */
  ban?: Timed;
  addressBan?: Timed;
  mute?: Timed;
  /** The ts of the actor's last chat while slow mode was on; undefined when unknown (allowed). */
  lastChatTs?: number;
}

/** The kinds that speak: lock, mute and (for chats) slow mode hold them back. */
const SPEAKING: ReadonlySet<GateInput["kind"]> = new Set(["chat", "edit", "delete", "react"]);

/**
 * The checks before every change, in the contract's order: (a) banned, (b) a private room's
 * non-member, (c) locked and not staff, (d) muted, (e) a chat in slow mode, not staff, too soon.
 * Moderation and reports pass (a) and (b) only: the rank rules decide the rest.
 */
export function gate(input: GateInput): AccessRefusal | undefined {
  if (isActive(input.ban, input.now) || isActive(input.addressBan, input.now)) return ACCESS_REFUSALS.banned;
  if (input.room.private && !input.member) return ACCESS_REFUSALS.notMember;
  if (!SPEAKING.has(input.kind)) return undefined;
  const staff = isStaff(input.role);
  if (input.room.locked && !staff) return ACCESS_REFUSALS.locked;
  if (isActive(input.mute, input.now)) {
    const until = input.mute?.until;
    return {
      ok: false,
      code: "muted",
      message: until === undefined ? "you are muted in this room" : "you are muted in this room for now",
      ...(until === undefined ? {} : { retryAfterMs: until - input.now }),
    };
  }
  if (input.kind === "chat" && !staff && input.lastChatTs !== undefined) {
    const wait = slowModeWait(input.room.slowModeMs, input.lastChatTs, input.now);
    if (wait > 0) return slowModeRefusal(wait);
  }
  return undefined;
}

/** How long a non-staff chat must still wait under slow mode; 0 when it may go now. */
export function slowModeWait(slowModeMs: number, lastChatTs: number, now: number): number {
  return slowModeMs > 0 ? Math.max(0, lastChatTs + slowModeMs - now) : 0;
}

export function slowModeRefusal(retryAfterMs: number): AccessRefusal {
  return { ok: false, code: "slow_mode", message: "slow mode: wait before sending again", retryAfterMs };
}

/**
 * Whether a delete of someone else's chat is allowed: staff may delete any message except one
 * by a higher rank (the author's stored role now). Its author may always delete their own.
 */
export function mayDeleteOthers(actor: Role, authorStored: StoredRole | undefined): boolean {
  return isStaff(actor) && rankOf(actor) >= rankOf(authorStored ?? "member");
}

export type ModerationActionName = "mute" | "unmute" | "kick" | "ban" | "unban" | "slow-mode" | "lock" | "role" | "rename";

/** The actions that name a user, and so are held to the rank rule. */
export const USER_ACTIONS: ReadonlySet<ModerationActionName> = new Set(["mute", "unmute", "kick", "ban", "unban", "role", "rename"]);

export interface ModerationInput {
  action: ModerationActionName;
  /** The actor's effective role. */
  actor: Role;
  /** The target's stored role (undefined: none, a member's rank). */
  target?: StoredRole;
  /** `role` only: the role to give. */
  newRole?: StoredRole;
  /** How many owners the room has stored now. */
  owners: number;
}

/**
 * Whether a moderation action is allowed. Staff only; on a user only when the actor's rank is
 * above the target's stored rank; roles are changed by owners (and admin) only, up to owner; the
 * room keeps its last owner (demoting, kicking or banning it is refused).
 */
export function checkModeration(input: ModerationInput): AccessRefusal | undefined {
  if (!isStaff(input.actor)) return ACCESS_REFUSALS.notStaff;
  if (!USER_ACTIONS.has(input.action)) return undefined;
  if (input.action === "role" && rankOf(input.actor) < rankOf("owner")) return ACCESS_REFUSALS.rolesByOwners;
  if (rankOf(input.actor) <= rankOf(input.target ?? "member")) return ACCESS_REFUSALS.rank;
  if (input.action === "role" && rankOf(input.newRole ?? "member") > Math.min(rankOf(input.actor), rankOf("owner"))) {
    return ACCESS_REFUSALS.roleAboveYours;
  }
  const removesOwner = input.action === "kick" || input.action === "ban" || (input.action === "role" && input.newRole !== "owner");
  if (input.target === "owner" && removesOwner && input.owners <= 1) return ACCESS_REFUSALS.lastOwner;
  return undefined;
}

/** Invites are made by staff; moderator invites by owners (and admin) only. */
export function checkInvite(actor: Role, role: StoredRole): AccessRefusal | undefined {
  if (!isStaff(actor)) return ACCESS_REFUSALS.notStaff;
  if (role === "owner") return ACCESS_REFUSALS.roleAboveYours;
  if (role === "moderator" && rankOf(actor) < rankOf("owner")) return ACCESS_REFUSALS.moderatorInvites;
  return undefined;
}

/** Staff-only reads and writes: the invites list, revoking, bans, mutes, reports. */
export function checkStaff(actor: Role): AccessRefusal | undefined {
  return isStaff(actor) ? undefined : ACCESS_REFUSALS.notStaff;
}
