import { parseSearchQuery, type SearchQuery } from "@chatroom/protocol";
import type pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PgMessageSearch } from "../../src/backend/postgres/message-search";
import { migrate } from "../../src/backend/postgres/migrate";
import { createPgPool } from "../../src/backend/postgres/pool";
import { rebuildSearchDocs, writeSearchDocs } from "../../src/backend/postgres/search-docs";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";

const START = Date.UTC(2026, 0, 1);

function query(raw: string): SearchQuery {
  const parsed = parseSearchQuery(raw);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.query;
}

describe("search_docs on PostgreSQL", () => {
  let server: PostgresProcess;
  let pool: pg.Pool;

  beforeAll(async () => {
    server = await startPostgres({ database: "search_docs" });
    pool = createPgPool(server.url, { max: 4 });
    await migrate(pool);
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await server?.stop();
  });
  beforeEach(() => emptyDatabase(server.url));

  /** `chats` rows as the message store writes them, without indexing them. */
  async function insertChats(rows: Array<{ room: string; seq: number; text: string | null; ts?: number; name?: string }>) {
    await pool.query(
      `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev)
       SELECT room, seq, room || '-' || seq, 'u_' || name, name, text, ts, 'c-' || seq, seq
       FROM unnest($1::text[], $2::bigint[], $3::text[], $4::bigint[], $5::text[]) AS r(room, seq, text, ts, name)`,
      [
        rows.map((row) => row.room),
        rows.map((row) => row.seq),
        rows.map((row) => row.text),
        rows.map((row) => row.ts ?? START + row.seq),
        rows.map((row) => row.name ?? "Ann"),
      ],
    );
  }
  const docs = async () =>
    (await pool.query("SELECT room, seq, author, body, cjk FROM search_docs ORDER BY room, seq")).rows as Array<Record<string, unknown>>;

  it("the migration made pg_trgm and the search indexes", async () => {
    const extension = await server.psql("SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'");
    expect(extension).toBe("pg_trgm");
    const indexes = await server.psql(
      "SELECT string_agg(indexname, ',' ORDER BY indexname) FROM pg_indexes WHERE tablename = 'search_docs'",
    );
    expect(indexes.split(",")).toEqual([
      "search_docs_author",
      "search_docs_body",
      "search_docs_cjk",
      "search_docs_pkey",
      "search_docs_time",
    ]);
  });

  it("writes a whole batch in at most two statements: the last change of a chat wins, null removes it", async () => {
    await insertChats([
      { room: "lobby", seq: 1, text: "first" },
      { room: "lobby", seq: 2, text: "Ｈｅｌｌｏ 测试 world", name: "Ｂｏｂ" },
      { room: "dev", seq: 1, text: "gone soon" },
    ]);
    await writeSearchDocs(pool, [{ room: "dev", seq: 1, text: "gone soon" }]);
    const client = await pool.connect();
    let statements = 0;
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      statements++;
      return query(...args);
    };
    try {
      await client.query("BEGIN");
      statements = 0;
      await writeSearchDocs(client, [
        { room: "lobby", seq: 1, text: "an old text" },
        { room: "lobby", seq: 2, text: "Ｈｅｌｌｏ 测试 world" },
        { room: "dev", seq: 1, text: null },
        { room: "lobby", seq: 1, text: "first, edited" },
      ]);
      expect(statements).toBe(2);
      await client.query("COMMIT");
    } finally {
      client.release();
    }
    expect(await docs()).toEqual([
      { room: "lobby", seq: 1, author: "ann", body: "first, edited", cjk: null },
      { room: "lobby", seq: 2, author: "bob", body: "hello 测试 world", cjk: ["测", "试", "测试"] },
    ]);
  });

  it("stores what PostgreSQL's text cannot hold as U+FFFD, and refuses a chat that has no chats row", async () => {
    await insertChats([{ room: "lobby", seq: 1, text: "held" }]);
    await writeSearchDocs(pool, [{ room: "lobby", seq: 1, text: "nul\u0000 and lone \ud800 here" }]);
    expect((await docs())[0]).toMatchObject({ body: "nul\ufffd and lone \ufffd here" });
    await expect(writeSearchDocs(pool, [{ room: "lobby", seq: 9, text: "x" }])).rejects.toThrow(/no chats row for 9:lobby/);
  });

  it("rebuilds the index from chats in batches, dropping rows of chats without text", async () => {
    const rows = Array.from({ length: 25 }, (_, i) => ({
      room: i % 2 ? "odd" : "even",
      seq: i + 1,
      text: i === 7 ? null : `chat ${i} 第${i}`,
    }));
    await insertChats(rows);
    await pool.query("INSERT INTO search_docs (room, seq, ts, author, body) VALUES ('odd', 8, 0, 'x', 'stale')");
    expect(await rebuildSearchDocs(pool, { batch: 4 })).toBe(24);
    const indexed = await docs();
    expect(indexed).toHaveLength(24);
    expect(indexed.find((doc) => doc.seq === 8)).toBeUndefined();
    expect(await rebuildSearchDocs(pool, { batch: 100 })).toBe(24);
    expect(await docs()).toEqual(indexed);
  });

  describe("bounded work on a room larger than the window", () => {
    const ROOM = "big";
    const COUNT = 3_000;
    // Every 3rd chat has "common", chat 17 alone has "zebrafish", every chat "x", every 50th 测试.
    const textOf = (seq: number) =>
      `${seq % 3 === 0 ? "common" : "other"} line ${seq} x ${seq === 17 ? "zebrafish" : ""} ${seq % 50 === 0 ? "测试" : "文字"}`;

    beforeEach(async () => {
      const rows = Array.from({ length: COUNT }, (_, i) => ({ room: ROOM, seq: i + 1, text: textOf(i + 1) }));
      await insertChats(rows);
      await rebuildSearchDocs(pool);
      await pool.query("ANALYZE search_docs");
    });

    it("finds a rare word anywhere in one request, and fills a common word's page from the newest window", async () => {
      const search = new PgMessageSearch({ pool, quickMax: 50, scanMax: 200 });
      const rare = await search.search({ query: query("zebrafish"), rooms: [ROOM], limit: 20 });
      expect(rare.hits.map((hit) => hit.seq)).toEqual([17]);
      expect(rare.next).toBeUndefined();
      const common = await search.search({ query: query("common"), rooms: [ROOM], limit: 20 });
      expect(common.hits.map((hit) => hit.seq)).toEqual(Array.from({ length: 20 }, (_, i) => 3_000 - 3 * i));
      expect(common.next).toMatchObject({ room: ROOM, seq: 2_943 });
      const chinese = await search.search({ query: query("测试"), rooms: [ROOM], limit: 5 });
      // 60 candidates, more than the 50 the index may propose: the wide window of 200 holds four.
      expect(chinese.hits.map((hit) => hit.seq)).toEqual([3_000, 2_950, 2_900, 2_850]);
      expect(chinese.next).toEqual({ ts: START + 2_801 - 1, room: "", seq: Number.MAX_SAFE_INTEGER });
      const more = await search.search({ query: query("测试"), rooms: [ROOM], limit: 5, ...(chinese.next ? { after: chinese.next } : {}) });
      expect(more.hits.map((hit) => hit.seq)).toEqual([2_800, 2_750, 2_700, 2_650]);
    });

    it("answers a term no index narrows with the window's hits and a next below it, reading no further", async () => {
      const search = new PgMessageSearch({ pool, quickMax: 50, scanMax: 200 });
      // "zz" matches nothing and has no trigram: only the window of the 200 newest is read.
      const page = await search.search({ query: query("zz"), rooms: [ROOM], limit: 20 });
      expect(page.hits).toEqual([]);
      expect(page.next).toEqual({ ts: START + 2_801 - 1, room: "", seq: Number.MAX_SAFE_INTEGER });
      // A word in every chat but too many for the index to sort: the window again.
      const many = await search.search({ query: query("line x other"), rooms: [ROOM], limit: 20 });
      expect(many.hits).toHaveLength(20);
    });
  });
});
