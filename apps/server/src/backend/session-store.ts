import { z } from "zod";

/** Who a session token stands for. */
export const sessionRecordSchema = z.object({ userId: z.string(), name: z.string() });

export type SessionRecord = z.infer<typeof sessionRecordSchema>;

/** Session tokens, so a reconnecting client is the same user under the same name. */
export interface SessionStore {
  get(token: string): Promise<SessionRecord | undefined>;
  save(token: string, record: SessionRecord): Promise<void>;
}
