import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { migrate } from "../../src/backend/sqlite/schema";
import { SqliteSearchIndexer } from "../../src/backend/sqlite/search-indexer";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { type TempDir, tempDir } from "../support/temp-dir";
import { waitUntil } from "../support/wait-until";
import { parsed } from "./search/search-oracle";

const alice = { id: "u_alice", name: "alice" };

describe("SQLite search indexer (migration 7's backlog)", () => {
  const dirs: TempDir[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) dir.remove();
  });

  async function storeWithBacklog(count: number): Promise<TempDir> {
    const dir = tempDir("chatroom-search-indexer-");
    dirs.push(dir);
    const backend = SqliteBackend.open({ nodeId: "node-indexer", dataDir: dir.path, search: { indexer: "manual" } });
    try {
      const appends = Array.from({ length: count }, (_, i) =>
        backend.messages.append({ room: "lobby", actor: alice, clientMsgId: `c-${i}`, kind: "chat", text: `deploy number ${i} 测试` }),
      );
      for (const result of await Promise.all(appends)) if (!result.ok) throw new Error("refused");
    } finally {
      await backend.close();
    }
    return dir;
  }

  const backlogOf = (file: string) => {
    const db = new Database(file, { readonly: true });
    try {
      return (db.prepare("SELECT COUNT(*) AS n FROM search_backlog").get() as { n: number }).n;
    } finally {
      db.close();
    }
  };

  it("indexes a backlog left by a restart while idle, slice by slice, and every chat stays found throughout", async () => {
    const dir = await storeWithBacklog(450);
    const file = join(dir.path, "chat.db");
    expect(backlogOf(file)).toBe(450);
    // The index walk only, so the answer comes from the FTS tables and the backlog, not a whole read.
    const backend = SqliteBackend.open({ nodeId: "node-indexer", dataDir: dir.path, search: { wholeReadMax: 0 } });
    try {
      const search = async (raw: string) => {
        let total = 0;
        let after: Parameters<typeof backend.search.search>[0]["after"];
        do {
          const page = await backend.search.search({ query: parsed(raw), rooms: ["lobby"], limit: 50, ...(after ? { after } : {}) });
          total += page.hits.length;
          after = page.next;
        } while (after);
        return total;
      };
      expect(await search("deploy")).toBe(450);
      await waitUntil(() => backlogOf(file) === 0, { what: "the idle indexer drains the backlog", timeoutMs: 60_000 });
      expect(await search("deploy")).toBe(450);
      expect(await search("测试")).toBe(450);
      // Both words, anywhere: 44, 144, 244, 344 and 440–449.
      expect(await search("number 44")).toBe(14);
    } finally {
      await backend.close();
    }
  });

  it("steps aside while writes wait, but takes a slice after maxYields busy ticks", async () => {
    const dir = await storeWithBacklog(30);
    const file = join(dir.path, "chat.db");
    const db = new Database(file);
    try {
      const backend = SqliteBackend.open({ nodeId: "node-indexer", dataDir: dir.path, search: { indexer: "manual" } });
      await backend.close();
      // The SQL functions the indexer calls are registered by the store's migrate on this connection.
      migrate(db);
      let busy = true;
      const indexer = new SqliteSearchIndexer({ db, writesWaiting: () => busy, sliceSize: 10, maxYields: 2 });
      const tick = async () => {
        indexer.wake();
        await new Promise((resolve) => setImmediate(resolve));
      };
      await tick();
      await tick();
      expect(backlogOf(file), "two busy ticks: the indexer yields").toBe(30);
      await tick();
      expect(backlogOf(file), "the third busy tick takes one slice anyway").toBe(20);
      busy = false;
      await tick();
      // Idle: a full slice asks for the next one at once, until the backlog is empty.
      await waitUntil(() => backlogOf(file) === 0, { what: "idle slices drain the rest", timeoutMs: 60_000 });
      expect(indexer.indexSlice()).toBe(0);
    } finally {
      db.close();
    }
  });
  it("a slice that fails is reported, never thrown from its timer, and the backlog is kept", async () => {
    const dir = await storeWithBacklog(5);
    const file = join(dir.path, "chat.db");
    const db = new Database(file);
    try {
      migrate(db);
      // A CJK table that cannot take rows: every slice fails in its second insert and rolls back whole.
      db.exec("DROP TABLE search_cjk; CREATE TABLE search_cjk (body TEXT NOT NULL CHECK (length(body) < 0))");
      const failures: string[] = [];
      const indexer = new SqliteSearchIndexer({ db, writesWaiting: () => false, onError: (_error, context) => failures.push(context) });
      indexer.wake();
      await waitUntil(() => failures.length === 1, { what: "the failed slice reported" });
      expect(failures[0]).toMatch(/search indexer/);
      expect(backlogOf(file), "the failed slice rolled back: nothing left the backlog").toBe(5);
    } finally {
      db.close();
    }
  });
});
