import { z } from "zod";
import { DEFAULT_LIMITS } from "./limits";
import { roomRoleSchema } from "./roles";
import { codePointLength } from "./text";
import { userSchema } from "./users";

/**
 * Who may enter a room and who may speak in it: roles, capabilities (passes, invites, the admin
 * key, host-app tokens) and the moderation actions of [4/6], as schemas. client-frames.ts and
 * server-frames.ts build the frames from these parts; every type is inferred from them.
 */

/**
 * A pass, an invite code or the admin key: 32 random bytes in base64url (43 characters). Wider
 * bounds here only so that a wrong value is answered like any other wrong value.
 */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;
export const secretSchema = z.string().regex(SECRET_PATTERN, "not a valid key");
/** A compact JWS: three base64url parts. Verified by the server, never parsed by the protocol. */
export const jwtSchema = z
  .string()
  .max(8192)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, "token is not a compact JWT");
/** A user id as a moderation frame names it: `u_…` for guests, the token's `sub` for host-app users. */
export const userIdSchema = z.string().min(1).max(255);
export const reportIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not a report id");
export const inviteIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, "not an invite id");

/** The longest timed mute, ban or invite: a year and a day. Longer is "for good" (omit the duration). */
export const MAX_DURATION_MS = 366 * 24 * 60 * 60 * 1000;
export const durationMsSchema = z.int().min(1000).max(MAX_DURATION_MS);
/** Slow mode's interval; 0 turns it off. */
export const MAX_SLOW_MODE_MS = 24 * 60 * 60 * 1000;
const timestamp = z.int().min(0);
export const slowModeIntervalSchema = z.int().min(0).max(MAX_SLOW_MODE_MS);

export function reportReasonSchema(maxLength: number = DEFAULT_LIMITS.maxReportReasonLength) {
  return z.string().transform((raw, ctx) => {
    const reason = raw.trim();
    if (reason.length === 0) ctx.addIssue({ code: "custom", message: "reason is empty" });
    else if (codePointLength(reason) > maxLength)
      ctx.addIssue({ code: "custom", message: `reason is longer than ${maxLength} characters` });
    return reason;
  });
}

export const MODERATE_ACTIONS = ["mute", "unmute", "kick", "ban", "unban", "slow-mode", "lock", "role", "rename"] as const;
export type ModerateAction = (typeof MODERATE_ACTIONS)[number];
/** `create` opens an owned room's log: its creator's first event, which makes them its owner. */
export const MODERATION_EVENT_ACTIONS = ["create", ...MODERATE_ACTIONS] as const;

/** How a user came by a role without a staff member giving it: a pass, an invite, a host app's token. */
export const roleSourceSchema = z.enum(["key", "invite", "token"]);

/** What staff see of an invite; its code is shown once, when it is made, and never again. */
export const inviteInfoSchema = z.strictObject({
  id: inviteIdSchema,
  role: roomRoleSchema,
  expiresAt: timestamp.optional(),
  maxUses: z.int().min(1).optional(),
  uses: z.int().min(0),
  revoked: z.boolean(),
  createdBy: userSchema,
  ts: timestamp,
});
export type InviteInfo = z.infer<typeof inviteInfoSchema>;

/** A ban in force. `until` absent: for good. `address`: the user's network address is banned too. */
export const banInfoSchema = z.strictObject({
  user: userSchema,
  until: timestamp.optional(),
  address: z.boolean(),
  by: userSchema,
  ts: timestamp,
});
export type BanInfo = z.infer<typeof banInfoSchema>;

export const muteInfoSchema = z.strictObject({ user: userSchema, until: timestamp.optional(), by: userSchema, ts: timestamp });
export type MuteInfo = z.infer<typeof muteInfoSchema>;

/** An open report, for staff. `author` and `text`: the reported chat as it stands, absent once deleted. */
export const reportInfoSchema = z.strictObject({
  id: reportIdSchema,
  target: z.int().min(1),
  reason: z.string(),
  by: userSchema,
  ts: timestamp,
  author: userSchema.optional(),
  text: z.string().optional(),
});
export type ReportInfo = z.infer<typeof reportInfoSchema>;
