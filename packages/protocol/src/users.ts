import { z } from "zod";
import { staffRoleSchema } from "./roles";

/** A user as frames name it. `role` only where a frame says so (members, `you`): absent means member. */
export const userSchema = z.strictObject({ id: z.string(), name: z.string(), role: staffRoleSchema.optional() });
export type User = z.infer<typeof userSchema>;
/** A user as a room's staff list names them: always with a role. */
export const staffMemberSchema = z.strictObject({ id: z.string(), name: z.string(), role: staffRoleSchema });
export type StaffMember = z.infer<typeof staffMemberSchema>;
