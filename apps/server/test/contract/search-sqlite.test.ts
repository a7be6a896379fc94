import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { SqliteBackend, type SqliteBackendOptions } from "../../src/backend/sqlite/sqlite-backend";
import { tempDir } from "../support/temp-dir";
import { describeSearchContract } from "./search/search-contract";

/** A SQLite backend in a temp dir, and every byte of its file as an attacker with the file would read it. */
function sqliteSubject(search: SqliteBackendOptions["search"], indexFirst = false) {
  return async ({ now }: { now: () => number }) => {
    const dir = tempDir("chatroom-search-");
    const backend = SqliteBackend.open({ nodeId: "node-sqlite", dataDir: dir.path, now, ...(search ? { search } : {}) });
    if (indexFirst) {
      // Every search sees the whole backlog in the FTS tables, as after an idle moment.
      const searchNow = backend.search.search.bind(backend.search);
      backend.search.search = (request) => {
        backend.searchIndexer.catchUp();
        return searchNow(request);
      };
    }
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
// The same contract through the index walk only (the suite's rooms are small enough to be read
// whole): once with every chat still in the indexer's backlog, once with every chat indexed.
describeSearchContract("sqlite index walk, backlog", sqliteSubject({ wholeReadMax: 0, indexer: "manual" }));
describeSearchContract("sqlite index walk, indexed", sqliteSubject({ wholeReadMax: 0, indexer: "manual" }, true));
