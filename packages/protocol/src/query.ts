import { z } from "zod";
import { nameSchema, roomSchema } from "./frames";
import { DEFAULT_LIMITS } from "./limits";
import { SESSION_PATTERN } from "./text";

export const DEFAULT_ROOM = "lobby";

/**
 * The `/ws` query string. Every parameter is optional; a bad one is answered with `bad_request`.
 * Unknown parameters (cache busters, tracking tags added by proxies) are ignored, not fatal.
 */
export function createConnectQuerySchema(maxNameLength: number = DEFAULT_LIMITS.maxNameLength) {
  return z.object({
    room: roomSchema.default(DEFAULT_ROOM),
    name: nameSchema(maxNameLength).optional(),
    since: z
      .string()
      .regex(/^\d{1,15}$/, "since must be an integer >= 0")
      .transform(Number)
      .optional(),
    session: z.string().regex(SESSION_PATTERN, "session is not a valid token").optional(),
  });
}

export const connectQuerySchema = createConnectQuerySchema();
export type ConnectQuery = z.infer<typeof connectQuerySchema>;
