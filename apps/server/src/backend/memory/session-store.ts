import type { SessionRecord, SessionStore } from "../session-store";

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  async get(token: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(token);
  }

  async save(token: string, record: SessionRecord): Promise<void> {
    this.sessions.set(token, { userId: record.userId, name: record.name });
  }
}
