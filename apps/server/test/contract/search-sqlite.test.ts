import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteBackend, type SqliteBackendOptions } from "../../src/backend/sqlite/sqlite-backend";
import { tempDir } from "../support/temp-dir";
import { describeSearchContract } from "./search/search-contract";

/** A SQLite backend in a temp dir, and every byte of its file as an attacker with the file would read it. */
function sqliteSubject(search: SqliteBackendOptions["search"]) {
  return async ({ now }: { now: () => number }) => {
    const dir = tempDir("chatroom-search-");
    const backend = SqliteBackend.open({ nodeId: "node-sqlite", dataDir: dir.path, now, ...(search ? { search } : {}) });
    const file = join(dir.path, "chat.db");
    return {
      backend,
      fileBytes: () => {
        // A second connection: checkpoint, then read every byte.
        const db = new Database(file);
        try {
          db.pragma("wal_checkpoint(TRUNCATE)");
        } finally {
          db.close();
        }
        return Buffer.concat([readFileSync(file), readFileSync(`${file}-wal`)]);
      },
      cleanup: async () => {
        await backend.close();
        dir.remove();
      },
    };
  };
}

describeSearchContract("sqlite", sqliteSubject(undefined));
// The same contract through the index walk only: the suite's rooms are small enough to be read whole.
describeSearchContract("sqlite index walk", sqliteSubject({ wholeReadMax: 0 }));
