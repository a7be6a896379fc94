/**
 * One server-wide value in the backend's settings (SQLite or PostgreSQL `settings` table, process
 * memory), shared by every node of a cluster: the admin key's hash, the address-ban HMAC key.
 */
export interface SettingStore {
  get(): Promise<string | undefined>;
  /** Replaces the value. */
  set(value: string): Promise<void>;
  /** Stores the value only if none is stored; false when one was. Two nodes starting at once agree on one. */
  setIfAbsent(value: string): Promise<boolean>;
}

/** The names of the settings, once: each backend keeps each under its own name. */
export const SETTING_NAMES = { adminKeyHash: "admin-key-hash", addressSecret: "address-secret" } as const;
export type SettingName = (typeof SETTING_NAMES)[keyof typeof SETTING_NAMES];

/** Process memory: gone at exit (HISTORY=memory keeps nothing either). */
export class MemorySetting implements SettingStore {
  private value: string | undefined;

  async get(): Promise<string | undefined> {
    return this.value;
  }

  async set(value: string): Promise<void> {
    this.value = value;
  }

  async setIfAbsent(value: string): Promise<boolean> {
    if (this.value !== undefined) return false;
    this.value = value;
    return true;
  }
}

/**
 * The stored value, made by `make` and stored first if there is none: every node and every restart
 * reads the same one (the first writer wins a race).
 */
export async function storedOrMade(setting: SettingStore, make: () => string): Promise<string> {
  const existing = await setting.get();
  if (existing !== undefined) return existing;
  await setting.setIfAbsent(make());
  const stored = await setting.get();
  if (stored === undefined) throw new Error("a setting stored just now reads as absent");
  return stored;
}
