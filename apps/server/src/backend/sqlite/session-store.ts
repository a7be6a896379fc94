import type Database from "better-sqlite3";
import type { SessionRecord, SessionStore } from "../session-store";
import type { GroupCommit } from "./group-commit";

/** Sessions in the `sessions` table; saves share the group commit, so a join storm shares fsyncs. */
export class SqliteSessionStore implements SessionStore {
  private readonly commit: GroupCommit;
  private readonly now: () => number;
  private readonly statements;

  constructor(options: { db: Database.Database; commit: GroupCommit; now: () => number }) {
    this.commit = options.commit;
    this.now = options.now;
    this.statements = {
      get: options.db.prepare<[string], { user_id: string; name: string }>("SELECT user_id, name FROM sessions WHERE token = ?"),
      save: options.db.prepare(
        "INSERT INTO sessions (token, user_id, name, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(token) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
      ),
    };
  }

  async get(token: string): Promise<SessionRecord | undefined> {
    const row = this.statements.get.get(token);
    return row ? { userId: row.user_id, name: row.name } : undefined;
  }

  async save(token: string, record: SessionRecord): Promise<void> {
    const { userId, name } = record;
    await this.commit.submitIsolated(() => {
      this.statements.save.run(token, userId, name, this.now());
    });
  }
}
