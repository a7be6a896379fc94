import { BackendClosedError } from "../backend-closed-error";
import type { SessionRecord, SessionStore } from "../session-store";
import { type PgStoreOptions, type ResolvedPgStoreOptions, resolvePgStoreOptions } from "./store-options";

/**
 * Sessions in the `sessions` table, as SQLite keeps them (sqlite/session-store.ts): a save of a
 * known token replaces the name and `updated_at` but keeps the user id the token was made for, and
 * nothing is pruned. One statement per call, so each save is durable when it resolves
 * (synchronous_commit on) and two nodes saving one token cannot interleave.
 */
export class PgSessionStore implements SessionStore {
  private readonly options: ResolvedPgStoreOptions;

  constructor(options: PgStoreOptions) {
    this.options = resolvePgStoreOptions(options);
  }

  async get(token: string): Promise<SessionRecord | undefined> {
    const { pool } = this.open();
    const { rows } = await pool.query<{ user_id: string; name: string }>("SELECT user_id, name FROM sessions WHERE token = $1", [token]);
    const row = rows[0];
    return row ? { userId: row.user_id, name: row.name } : undefined;
  }

  async save(token: string, record: SessionRecord): Promise<void> {
    const { pool, now } = this.open();
    await pool.query(
      `INSERT INTO sessions (token, user_id, name, updated_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (token) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at`,
      [token, record.userId, record.name, now()],
    );
  }

  private open(): ResolvedPgStoreOptions {
    if (!this.options.isOpen()) throw new BackendClosedError();
    return this.options;
  }
}
