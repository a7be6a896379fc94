import type Database from "better-sqlite3";
import type { SettingName, SettingStore } from "../setting-store";

/** One row of the `settings` table. Writes are direct (no group commit): they are rare and must be durable at once. */
export class SqliteSetting implements SettingStore {
  private readonly select: Database.Statement<[string], { value: string }>;
  private readonly upsert: Database.Statement<[string, string]>;
  private readonly insertIfAbsent: Database.Statement<[string, string]>;

  constructor(
    db: Database.Database,
    private readonly name: SettingName,
  ) {
    this.select = db.prepare("SELECT value FROM settings WHERE key = ?");
    this.upsert = db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value");
    this.insertIfAbsent = db.prepare("INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING");
  }

  async get(): Promise<string | undefined> {
    return this.select.get(this.name)?.value;
  }

  async set(value: string): Promise<void> {
    this.upsert.run(this.name, value);
  }

  async setIfAbsent(value: string): Promise<boolean> {
    return this.insertIfAbsent.run(this.name, value).changes === 1;
  }
}
