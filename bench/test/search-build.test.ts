import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { tempDir } from "../../apps/server/test/support/temp-dir";
import { type BuildMode, buildSearchStore } from "../src/search-build";
import { CORPUS_DEFAULTS, SearchCorpus } from "../src/search-corpus";
import { Database } from "../src/sqlite-driver";

/**
 * The bench fills its million-message room with the store's rows in large transactions (`rows`)
 * because one append per message costs more CPU than the few minutes it may take. That is only
 * honest if the rows, and so the index the triggers build from them, are what the store's own
 * appends write: this builds the same corpus both ways and compares the files.
 */
const MESSAGES = 1_200;
const SEED = 11;
const dirs: Array<{ remove(): void }> = [];
afterAll(() => {
  for (const dir of dirs) dir.remove();
});

async function build(mode: BuildMode): Promise<string> {
  const dir = tempDir("chatroom-search-build-");
  dirs.push(dir);
  const corpus = new SearchCorpus({ ...CORPUS_DEFAULTS, seed: SEED, messages: MESSAGES, authors: 50 });
  const result = await buildSearchStore({
    dataDir: dir.path,
    room: "search-bench",
    corpus,
    batch: 400,
    startTs: Date.UTC(2025, 0, 1),
    meanGapMs: 30_000,
    mode,
    log: () => {},
  });
  expect(result).toMatchObject({ mode, messages: MESSAGES, latestSeq: MESSAGES, walBytes: 0 });
  return join(dir.path, "chat.db");
}

/** Every row of a table in key order, without the columns that differ by process or clock (ids, ts, docids). */
function rows(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(sql).all() as Array<Record<string, unknown>>).map(({ id: _id, ts: _ts, docid: _docid, ...rest }) => rest);
  } finally {
    db.close();
  }
}

describe("search store build", () => {
  it("writes with rows exactly what the store's appends write, index included", async () => {
    const [byRows, byAppends] = [await build("rows"), await build("appends")];
    const same = (sql: string) => expect(rows(byRows, sql), sql).toEqual(rows(byAppends, sql));
    same("SELECT * FROM events ORDER BY room, seq");
    same("SELECT * FROM chats ORDER BY room, seq");
    same("SELECT * FROM sends ORDER BY user_id, client_msg_id");
    same("SELECT * FROM search_docs ORDER BY docid");
    // The contentless FTS tables hold no text to compare: what they find must be the same.
    for (const [table, match] of [
      ["search_trigram", '"the"'],
      ["search_trigram", '"服务器"'],
      ["search_cjk", '"测 试"'],
      ["search_cjk", '"今 天"'],
    ]) {
      same(`SELECT d.room, d.seq FROM ${table} f JOIN search_docs d ON d.docid = f.rowid WHERE ${table} MATCH '${match}' ORDER BY d.seq`);
    }
    expect(rows(byRows, `SELECT COUNT(*) AS n FROM search_docs`)).toEqual([{ n: MESSAGES }]);
  });
});
