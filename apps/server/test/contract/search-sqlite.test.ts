import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { tempDir } from "../support/temp-dir";
import { describeSearchContract } from "./search/search-contract";

describeSearchContract("sqlite", async ({ now }) => {
  const dir = tempDir("chatroom-search-");
  const backend = SqliteBackend.open({ nodeId: "node-sqlite", dataDir: dir.path, now });
  const file = join(dir.path, "chat.db");
  return {
    backend,
    fileBytes: () => {
      // A second connection, as an attacker with the file would have: checkpoint, then read every byte.
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
});
