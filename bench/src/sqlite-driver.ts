import { createRequire } from "node:module";
import { resolve } from "node:path";
import type BetterSqlite3 from "../../apps/server/node_modules/@types/better-sqlite3";

/**
 * The server's own SQLite driver, loaded from the server package: the bench reads the store's file
 * (sizes per table, query plans) with the very build of SQLite the server writes it with, and the
 * workspace keeps one copy of the native module.
 */
const serverRequire = createRequire(resolve(import.meta.dirname, "../../apps/server/package.json"));

export const Database = serverRequire("better-sqlite3") as typeof BetterSqlite3;
export type Database = BetterSqlite3.Database;
