/**
 * Migration 5: server-wide settings (the admin key's hash; later the address-ban HMAC secret).
 * A table of its own, created idempotently by the settings store when the file opens, so it does
 * not depend on the order in which migration 4 (room access) lands in `schema.ts`.
 */
export const SETTINGS_MIGRATION = `CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;`;
