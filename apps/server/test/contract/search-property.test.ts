import { join } from "node:path";
import type { SearchQuery } from "@chatroom/protocol";
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { SqliteMessageSearch } from "../../src/backend/sqlite/message-search";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { tempDir } from "../support/temp-dir";
import { expectedHits, parsed, searchAllPages } from "./search/search-oracle";
import { replaySearchScenario, SEARCH_WORDS, searchScenario } from "./search/search-scenario";

const ROOMS = ["r-a", "r-b"];
const scenario = searchScenario({ words: SEARCH_WORDS, rooms: ROOMS });

describe("SQLite's indexes return exactly the memory scan's results", () => {
  it("for random mixed English and Chinese corpora, edits, deletions and queries", async () => {
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
    console.info(`fast-check seed ${seed} (replay: FC_SEED=${seed} pnpm vitest run apps/server/test/contract/search-property.test.ts)`);
    const cases = fc.sample(scenario, { seed, numRuns: 25 });
    for (const [run, example] of cases.entries()) {
      let clock = 0;
      const now = () => clock;
      const dir = tempDir("chatroom-search-property-");
      const memory = new MemoryBackend({ nodeId: "node-memory", now });
      // The indexer runs where the test says: before every third operation, so some chats are
      // edited or deleted once indexed and others while still in the backlog.
      const sqlite = SqliteBackend.open({ nodeId: "node-sqlite", dataDir: dir.path, now, search: { indexer: "manual" } });
      let walkedDb: Database.Database | undefined;
      try {
        let operations = 0;
        const chats = await replaySearchScenario([memory, sqlite], example, (ts) => {
          clock = ts;
          if (++operations % 3 === 0) sqlite.searchIndexer.catchUp();
        });
        // The same file through the index walk only (these corpora are small enough to be read
        // whole): with part of it in the backlog, then all of it indexed.
        walkedDb = new Database(join(dir.path, "chat.db"), { readonly: true });
        const walked = { search: new SqliteMessageSearch({ db: walkedDb, wholeReadMax: 0 }) };
        const searchBoth = async (searchQuery: SearchQuery, q: { rooms: string[]; limit: number }, context: string) => {
          const fromMemory = await searchAllPages(memory, searchQuery, q.rooms, q.limit);
          expect((await searchAllPages(sqlite, searchQuery, q.rooms, q.limit)).hits, context).toEqual(fromMemory.hits);
          expect((await searchAllPages(walked, searchQuery, q.rooms, q.limit)).hits, `index walk: ${context}`).toEqual(fromMemory.hits);
          return fromMemory;
        };
        for (const q of example.queries) {
          const raw = [...q.terms, ...(q.from ? [`from:${q.from}`] : [])].join(" ") || "from:bob";
          const searchQuery = parsed(raw);
          const context = `seed ${seed}, run ${run}, query ${JSON.stringify(raw)} in ${JSON.stringify(q.rooms)} by ${q.limit}: ${JSON.stringify(example)}`;
          const fromMemory = await searchBoth(searchQuery, q, `${context} (part in the backlog)`);
          expect(fromMemory.hits, context).toEqual(expectedHits(chats, searchQuery, q.rooms));
        }
        sqlite.searchIndexer.catchUp();
        for (const q of example.queries) {
          const raw = [...q.terms, ...(q.from ? [`from:${q.from}`] : [])].join(" ") || "from:bob";
          await searchBoth(parsed(raw), q, `seed ${seed}, run ${run}, query ${JSON.stringify(raw)} (all indexed)`);
        }
      } finally {
        walkedDb?.close();
        await sqlite.close();
        await memory.close();
        dir.remove();
      }
    }
  });
});
