import type { Redis } from "ioredis";
import { BackendClosedError } from "../backend-closed-error";
import { type SessionRecord, type SessionStore, sessionRecordSchema } from "../session-store";
import type { RedisKeys } from "./keys";

/** Sessions as JSON strings that expire `ttlSeconds` after they were last saved. */
export class RedisSessionStore implements SessionStore {
  constructor(private readonly options: { client: Redis; keys: RedisKeys; ttlSeconds: number; isOpen: () => boolean }) {}

  async get(token: string): Promise<SessionRecord | undefined> {
    const value = await this.options.client.get(this.options.keys.session(token));
    if (value === null) return undefined;
    const parsed = sessionRecordSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  }

  async save(token: string, record: SessionRecord): Promise<void> {
    if (!this.options.isOpen()) throw new BackendClosedError();
    const value = JSON.stringify({ userId: record.userId, name: record.name });
    await this.options.client.set(this.options.keys.session(token), value, "EX", this.options.ttlSeconds);
  }
}
