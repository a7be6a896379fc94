/**
 * Migration 5 (listed in `schema.ts` after room access): server-wide settings, the admin key's hash
 * and the address-ban HMAC key. `IF NOT EXISTS`: a file opened by a build that made the table on
 * its own at version 4 migrates cleanly.
 */
export const SETTINGS_MIGRATION = `CREATE TABLE IF NOT EXISTS settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;`;
