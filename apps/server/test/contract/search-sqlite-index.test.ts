import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { SqliteMessageSearch } from "../../src/backend/sqlite/message-search";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { type TempDir, tempDir } from "../support/temp-dir";
import { expectedHits, type KnownChat, parsed, searchAllPages } from "./search/search-oracle";

const alice = { id: "u_alice", name: "alice" };

describe("SQLite search index (migration 7)", () => {
  const dirs: TempDir[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });
  /** The store, its indexer run only by the test (`searchIndexer.catchUp()`), so what is indexed is known. */
  function open(clock: () => number = Date.now): { backend: SqliteBackend; file: string } {
    const dir = dirs[0] ?? tempDir("chatroom-search-index-");
    if (dirs.length === 0) dirs.push(dir);
    const backend = SqliteBackend.open({ nodeId: "node-index", dataDir: dir.path, now: clock, search: { indexer: "manual" } });
    return { backend, file: join(dir.path, "chat.db") };
  }

  it("walks each index newest-first from its bound: no sort of the match set, the chat by its primary key", async () => {
    const { backend, file } = open();
    await backend.close();
    const db = new Database(file, { readonly: true });
    try {
      for (const index of ["search_trigram", "search_cjk", "search_backlog", undefined] as const) {
        for (const byAuthor of [false, true]) {
          const match = index === "search_trigram" || index === "search_cjk" ? { match: '"abc"' } : {};
          const plan = (
            db
              .prepare(`EXPLAIN QUERY PLAN ${SqliteMessageSearch.sqlOf(index, byAuthor)}`)
              .all({ high: 1, low: 0, rooms: "[]", ...match, author: "x" }) as Array<{ detail: string }>
          ).map((row) => row.detail);
          const label = `${index ?? "search_docs"}${byAuthor ? " + author" : ""}: ${plan.join(" | ")}`;
          expect(plan.join("\n"), label).not.toMatch(/TEMP B-TREE/);
          if (index === "search_backlog") expect(plan[0], label).toMatch(/^SEARCH f USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
          else if (index) expect(plan[0], label).toMatch(/^SCAN f VIRTUAL TABLE INDEX \d+:M/);
          else if (byAuthor)
            expect(plan[0], label).toMatch(/^SEARCH d USING INDEX search_docs_author \(author=\? AND rowid>\? AND rowid<\?\)/);
          else expect(plan[0], label).toMatch(/^SEARCH d USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/);
          expect(plan, label).toContain("SEARCH c USING PRIMARY KEY (room=? AND seq=?) LEFT-JOIN");
        }
      }
    } finally {
      db.close();
    }
  });

  it("builds the index for a file that had chats before migration 7, and its triggers keep it from then on", async () => {
    let now = Date.UTC(2026, 0, 1);
    const first = open(() => now);
    for (const [i, text] of ["older 测试 text", "second chat 测", "a deleted one"].entries()) {
      now += 1;
      await first.backend.messages.append({ room: "lobby", actor: alice, clientMsgId: `c-${i}`, kind: "chat", text });
    }
    await first.backend.messages.append({ room: "lobby", actor: alice, clientMsgId: "d-1", kind: "delete", target: 3 });
    await first.backend.close();
    // The file as a build before [5/6] search left it: no index, no triggers, schema version 6 (mentions).
    const db = new Database(first.file);
    db.exec(`DROP TRIGGER search_chat_added; DROP TRIGGER search_chat_changed; DROP TRIGGER search_chat_removed;
      DROP TABLE search_trigram; DROP TABLE search_cjk; DROP TABLE search_backlog; DROP TABLE search_docs; PRAGMA user_version = 6;`);
    db.close();

    const { backend } = open(() => now);
    try {
      const search = (raw: string) =>
        backend.search.search({ query: parsed(raw), rooms: ["lobby"], limit: 10 }).then((page) => page.hits.map((hit) => hit.seq));
      expect(await search("测试")).toEqual([1]);
      expect(await search("测")).toEqual([2, 1]);
      expect(await search("chat")).toEqual([2]);
      expect(await search("deleted")).toEqual([]);
      // Migration 7 queued the old chats for the indexer: indexed, they are found the same.
      expect(backend.searchIndexer.catchUp()).toBe(2);
      expect(await search("测试")).toEqual([1]);
      expect(await search("测")).toEqual([2, 1]);
      now += 1;
      await backend.messages.append({ room: "lobby", actor: alice, clientMsgId: "c-9", kind: "chat", text: "newest chat" });
      expect(await search("chat")).toEqual([5, 2]);
    } finally {
      await backend.close();
    }
  });

  it("a scan budget cuts pages short, only between timestamps: every page then the next misses nothing and repeats nothing", async () => {
    let now = Date.UTC(2026, 0, 1);
    const { backend, file } = open(() => now);
    const corpus: KnownChat[] = [];
    try {
      for (let i = 0; i < 30; i++) {
        // Runs of up to 4 chats share a timestamp, across two rooms.
        if (i % 4 === 0) now += 1000;
        const room = i % 3 === 0 ? "b-room" : "a-room";
        const text = i % 7 === 0 ? "rare word" : "common word";
        const result = await backend.messages.append({ room, actor: alice, clientMsgId: `c-${i}`, kind: "chat", text });
        if (!result.ok) throw new Error("refused");
        corpus.push({ room, seq: result.ack.seq, ts: now, from: alice, text });
        // The first half indexed, the rest still in the indexer's backlog: a walk reads both.
        if (i === 14) backend.searchIndexer.catchUp();
      }
      const db = new Database(file, { readonly: true });
      try {
        for (const state of ["half in the backlog", "all indexed"]) {
          if (state === "all indexed") backend.searchIndexer.catchUp();
          for (const scanMax of [1, 2, 3, 5]) {
            // No whole read: these rooms are small, and the test is of the index walk's budget.
            const search = new SqliteMessageSearch({ db, scanMax, wholeReadMax: 0 });
            for (const raw of ["rare", "word", "from:alice", "o"]) {
              // One room of two: the other room's rows are read, left out by SQL, and counted all the same.
              for (const rooms of [["a-room", "b-room"], ["b-room"]]) {
                const query = parsed(raw);
                const { hits, pages } = await searchAllPages({ search }, query, rooms, 2);
                const label = `${raw} in ${rooms.join()} with scanMax ${scanMax}, ${state}`;
                expect(hits, label).toEqual(expectedHits(corpus, query, rooms));
                if (scanMax === 1) expect(pages, `a budget of one row cuts every page short: ${label}`).toBeGreaterThan(1);
              }
            }
          }
        }
      } finally {
        db.close();
      }
    } finally {
      await backend.close();
    }
  });

  it("rooms whose history fits the budget are read whole: one full page, however many matches other rooms hold", async () => {
    let now = Date.UTC(2026, 0, 1);
    const { backend, file } = open(() => now);
    const corpus: KnownChat[] = [];
    try {
      // A small room written first, then a busy room full of the same word: newer, and many more.
      for (const [room, count] of [
        ["small", 6],
        ["busy", 40],
      ] as const) {
        for (let i = 0; i < count; i++) {
          if (i % 3 === 0) now += 1000;
          const text = `common word ${room} ${i}`;
          const result = await backend.messages.append({ room, actor: alice, clientMsgId: `${room}-${i}`, kind: "chat", text });
          if (!result.ok) throw new Error("refused");
          corpus.push({ room, seq: result.ack.seq, ts: now, from: alice, text });
        }
      }
      await backend.messages.append({
        room: "small",
        actor: alice,
        clientMsgId: "small-edit",
        kind: "edit",
        target: 2,
        text: "edited away",
      });
      corpus[1] = { ...(corpus[1] as KnownChat), text: "edited away" };
    } finally {
      await backend.close();
    }
    const db = new Database(file, { readonly: true });
    try {
      // The bound (10) is below the busy room's history (40) and above the small room's (7 events).
      const search = new SqliteMessageSearch({ db, scanMax: 10, wholeReadMax: 10 });
      for (const raw of ["word", "common", "from:alice", "edited"]) {
        const query = parsed(raw);
        const small = await searchAllPages({ search }, query, ["small"], 20);
        expect(small.hits, `${raw} in small`).toEqual(expectedHits(corpus, query, ["small"]));
        expect(small.pages, `${raw} in small: one page, never a short one with next`).toBe(1);
        // Both rooms: past the budget, the index walk pages on as before, and misses nothing.
        const both = await searchAllPages({ search }, query, ["small", "busy"], 20);
        expect(both.hits, `${raw} in both`).toEqual(expectedHits(corpus, query, ["small", "busy"]));
      }
    } finally {
      db.close();
    }
  });

  it("a text one cannot index exactly (a NUL) is still found: the matcher decides", async () => {
    const { backend } = open();
    try {
      await backend.messages.append({ room: "lobby", actor: alice, clientMsgId: "c-1", kind: "chat", text: "nul\u0000inside here" });
      const page = await backend.search.search({ query: parsed("l\u0000i here"), rooms: ["lobby"], limit: 10 });
      expect(page.hits.map((hit) => hit.seq)).toEqual([1]);
    } finally {
      await backend.close();
    }
  });
});
