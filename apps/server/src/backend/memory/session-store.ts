import { BackendClosedError } from "../backend-closed-error";
import type { SessionRecord, SessionStore } from "../session-store";

export class MemorySessionStore implements SessionStore {
  private readonly sessions = new Map<string, SessionRecord>();

  /** `isOpen` is the backend's: saves fail once the backend is closed, as every store's do. */
  constructor(private readonly isOpen: () => boolean = () => true) {}

  async get(token: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(token);
  }

  async save(token: string, record: SessionRecord): Promise<void> {
    if (!this.isOpen()) throw new BackendClosedError();
    this.sessions.set(token, { userId: record.userId, name: record.name });
  }
}
