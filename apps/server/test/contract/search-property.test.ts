import { join } from "node:path";
import type { SearchQuery } from "@chatroom/protocol";
import Database from "better-sqlite3";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { SqliteMessageSearch } from "../../src/backend/sqlite/message-search";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { tempDir } from "../support/temp-dir";
import { expectedHits, type KnownChat, parsed, searchAllPages } from "./search/search-oracle";

const WORDS = [
  "hello",
  "world",
  "test",
  "tea",
  "the",
  "a",
  "I",
  "cat",
  "catalog",
  "Ｈｅｌｌｏ",
  "测试",
  "测",
  "试",
  "明天",
  "环境",
  "准备好了",
  "中文",
  "文",
  "龘",
  "テスト",
  "시험",
];
const USERS = [
  { id: "u_a", name: "Alice" },
  { id: "u_b", name: "bob" },
  { id: "u_c", name: "陈静" },
];
const ROOMS = ["r-a", "r-b"];

const text = fc
  .tuple(fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 8 }), fc.constantFrom(" ", "", ", "))
  .map(([words, separator]) => words.join(separator));
const operation = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant("chat" as const), room: fc.constantFrom(...ROOMS), user: fc.nat(2), text, tick: fc.nat(2) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("edit" as const), pick: fc.nat(), text }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }) },
);
const term = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom(...WORDS).map((word) => [...word].slice(0, 2).join("")),
);
const query = fc.record({
  terms: fc.array(term, { minLength: 0, maxLength: 3 }),
  from: fc.option(fc.constantFrom("alice", "BOB", "陈静"), { nil: undefined }),
  rooms: fc.subarray(ROOMS),
  limit: fc.integer({ min: 1, max: 6 }),
});
const scenario = fc.record({
  operations: fc.array(operation, { minLength: 1, maxLength: 40 }),
  queries: fc.array(query, { minLength: 1, maxLength: 6 }),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

/** Applies the same changes, at the same clock, to each backend; returns what the test knows of the chats. */
async function replay(backends: Backend[], scenario: Scenario, setClock: (ts: number) => void): Promise<KnownChat[]> {
  let ts = Date.UTC(2026, 0, 1);
  const chats: KnownChat[] = [];
  for (const [index, op] of scenario.operations.entries()) {
    if (op.kind === "chat") ts += op.tick;
    else ts += 1;
    setClock(ts);
    const target = op.kind === "chat" ? undefined : chats[op.pick % Math.max(1, chats.length)];
    if (op.kind !== "chat" && (!target || target.text === undefined)) continue;
    const seqs = new Set<number>();
    for (const backend of backends) {
      const common = { clientMsgId: `op-${index}` };
      if (op.kind === "chat") {
        const result = await backend.messages.append({
          ...common,
          room: op.room,
          actor: USERS[op.user] as (typeof USERS)[0],
          kind: "chat",
          text: op.text,
        });
        if (!result.ok) throw new Error(`chat refused: ${result.code}`);
        seqs.add(result.ack.seq);
      } else if (target) {
        const change =
          op.kind === "edit"
            ? { kind: "edit" as const, target: target.seq, text: op.text }
            : { kind: "delete" as const, target: target.seq };
        const result = await backend.messages.append({ ...common, room: target.room, actor: target.from, ...change });
        if (!result.ok) throw new Error(`${op.kind} refused: ${result.code}`);
      }
    }
    if (op.kind === "chat") {
      // Every event takes a seq (edits and deletions too): the stores say which, and must agree.
      if (seqs.size !== 1) throw new Error(`the backends stored the chat at different seqs: ${[...seqs].join(", ")}`);
      const seq = [...seqs][0] as number;
      chats.push({ room: op.room, seq, ts, from: USERS[op.user] as (typeof USERS)[0], text: op.text });
    } else if (target) {
      if (op.kind === "edit") target.text = op.text;
      else delete target.text;
    }
  }
  return chats;
}

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
        const chats = await replay([memory, sqlite], example, (ts) => {
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
