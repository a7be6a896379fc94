import type Database from "better-sqlite3";
import type { AdminKeyStore } from "../../security/admin-key";
import { SETTINGS_MIGRATION } from "./migrations/005-settings";

const ADMIN_KEY_HASH = "admin-key-hash";

/** The admin key's hash in the `settings` table. Writes are direct (no group commit): they are rare and must be durable at once. */
export class SqliteAdminKeyStore implements AdminKeyStore {
  private readonly select: Database.Statement<[string], { value: string }>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly insertIfAbsent: Database.Statement<[string, string]>;

  constructor(db: Database.Database) {
    db.exec(SETTINGS_MIGRATION);
    this.select = db.prepare("SELECT value FROM settings WHERE key = ?");
    this.upsert = db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.insertIfAbsent = db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
  }

  async get(): Promise<string | undefined> {
    return this.select.get(ADMIN_KEY_HASH)?.value;
  }

  async set(hash: string): Promise<void> {
    this.upsert.run(ADMIN_KEY_HASH, hash);
  }

  async setIfAbsent(hash: string): Promise<boolean> {
    return this.insertIfAbsent.run(ADMIN_KEY_HASH, hash).changes === 1;
  }
}
