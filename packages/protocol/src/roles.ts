import { z } from "zod";

/** Lowest first: an actor acts on a user only if its rank is higher than the user's. */
export const ROLES = ["member", "moderator", "owner", "admin"] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;
/** A role a room stores for a user, a pass or an invite gives; `admin` is the server's, never a room's. */
export const roomRoleSchema = z.enum(["member", "moderator", "owner"]);
export type RoomRole = z.infer<typeof roomRoleSchema>;
/** The roles a user object names; absent means member. */
export const staffRoleSchema = z.enum(["moderator", "owner", "admin"]);
export type StaffRole = z.infer<typeof staffRoleSchema>;

export function rankOf(role: Role): number {
  return ROLES.indexOf(role);
}
