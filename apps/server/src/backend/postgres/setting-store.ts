import { BackendClosedError } from "../backend-closed-error";
import type { SettingName, SettingStore } from "../setting-store";
import { type PgStoreOptions, type ResolvedPgStoreOptions, resolvePgStoreOptions } from "./store-options";

/**
 * One row of the `settings` table, as SQLite keeps it (sqlite/setting-store.ts). `setIfAbsent` is
 * one `INSERT ... ON CONFLICT DO NOTHING`: when two nodes start at once, the second insert waits
 * on the first's uncommitted key and then does nothing, so exactly one value is ever stored and
 * both read it back.
 */
export class PgSetting implements SettingStore {
  private readonly options: ResolvedPgStoreOptions;
  private readonly name: SettingName;

  constructor(options: PgStoreOptions & { name: SettingName }) {
    this.options = resolvePgStoreOptions(options);
    this.name = options.name;
  }

  async get(): Promise<string | undefined> {
    const { rows } = await this.pool().query<{ value: string }>("SELECT value FROM settings WHERE key = $1", [this.name]);
    return rows[0]?.value;
  }

  async set(value: string): Promise<void> {
    await this.pool().query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value", [
      this.name,
      value,
    ]);
  }

  async setIfAbsent(value: string): Promise<boolean> {
    const inserted = await this.pool().query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING", [
      this.name,
      value,
    ]);
    return inserted.rowCount === 1;
  }

  private pool(): ResolvedPgStoreOptions["pool"] {
    if (!this.options.isOpen()) throw new BackendClosedError();
    return this.options.pool;
  }
}
