import type { User } from "@chatroom/protocol";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import type { MessageSearch } from "../../src/backend/message-search";
import { PgMessageSearch } from "../../src/backend/postgres/message-search";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { expectedHits, type KnownChat, parsed, searchAllPages } from "../contract/search/search-oracle";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, postgresUnavailable, startPostgres } from "../support/postgres-process";

const unavailable = postgresUnavailable();

/** English, Chinese, Japanese and Korean words, and words full of LIKE's and SQL's own syntax. */
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
  "50%",
  "a_b",
  "ab",
  "back\\slash",
  "it's",
  '"q"',
  "%_",
];
const USERS: User[] = [
  { id: "u_a", name: "Alice" },
  { id: "u_b", name: "bob" },
  { id: "u_c", name: "陈静" },
];
const ROOMS = ["r-a", "r-b", "r1"];

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
  fc.constantFrom(...WORDS).map((word) => [...word].slice(1, 4).join("")),
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

/** The same changes at the same clock to the memory store and PostgreSQL; what the test knows of the chats. */
async function replay(memory: Backend, postgres: Backend, example: Scenario, setClock: (ts: number) => void) {
  let ts = Date.UTC(2026, 0, 1);
  const chats: KnownChat[] = [];
  for (const [index, op] of example.operations.entries()) {
    ts += op.kind === "chat" ? op.tick : 1;
    setClock(ts);
    const clientMsgId = `op-${index}`;
    if (op.kind === "chat") {
      const from = USERS[op.user] as User;
      const request = { clientMsgId, room: op.room, actor: from, kind: "chat" as const, text: op.text };
      const [a, b] = [await memory.messages.append(request), await postgres.messages.append(request)];
      if (!a.ok || !b.ok || a.ack.seq !== b.ack.seq) throw new Error(`the stores disagree on a chat: ${JSON.stringify([a, b])}`);
      chats.push({ room: op.room, seq: a.ack.seq, ts, from, text: op.text });
      continue;
    }
    const target = chats[op.pick % Math.max(1, chats.length)];
    if (!target || target.text === undefined) continue;
    const change =
      op.kind === "edit" ? { kind: "edit" as const, target: target.seq, text: op.text } : { kind: "delete" as const, target: target.seq };
    const request = { clientMsgId, room: target.room, actor: target.from, ...change };
    const [a, b] = [await memory.messages.append(request), await postgres.messages.append(request)];
    if (!a.ok || !b.ok || a.ack.seq !== b.ack.seq) throw new Error(`the stores disagree on an ${op.kind}: ${JSON.stringify([a, b])}`);
    if (op.kind === "edit") target.text = op.text;
    else delete target.text;
  }
  return chats;
}

describe.skipIf(unavailable !== undefined)("PgMessageSearch returns exactly the memory scan's results", () => {
  let server: PostgresProcess;

  beforeAll(async () => {
    server = await startPostgres({ database: "search_property" });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
  });

  it("for random corpora of mixed scripts and LIKE syntax, edits, deletions, queries and scan budgets", async () => {
    const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : (Date.now() ^ (Math.random() * 0x100000000)) | 0;
    console.info(
      `fast-check seed ${seed} (replay: FC_SEED=${seed} pnpm exec vitest run apps/server/test/postgres/search-property.test.ts)`,
    );
    const cases = fc.sample(scenario, { seed, numRuns: 20 });
    // The default (every corpus fits one window), and windows so small that pages go through every step.
    const BOUNDS = [{}, { quickMax: 1, scanMax: 1 }, { quickMax: 1, scanMax: 3 }, { quickMax: 2, scanMax: 5 }, { quickMax: 5, scanMax: 2 }];
    for (const [run, example] of cases.entries()) {
      let clock = 0;
      const now = () => clock;
      const memory = new MemoryBackend({ nodeId: "node-memory", now });
      // The real PgBackend, its ticks writing the search index; the other bounds on its pool.
      let searches: Array<{ bounds: object; search: MessageSearch }> = [];
      const postgres = await PgBackend.open({
        nodeId: "node-pg",
        url: server.url,
        now,
        poolMax: 4,
        search: (pool) => {
          searches = BOUNDS.map((bounds) => ({ bounds, search: new PgMessageSearch({ pool, ...bounds }) }));
          return searches[0]?.search as MessageSearch;
        },
      });
      await emptyDatabase(server.url);
      try {
        const chats = await replay(memory, postgres, example, (ts) => {
          clock = ts;
        });
        for (const q of example.queries) {
          // Each term as a phrase, so LIKE's and SQL's syntax reaches the store; a quote cannot be inside one.
          const phrases = q.terms.map((t) => t.replaceAll('"', "").trim()).filter((t) => t !== "");
          const raw = [...phrases.map((t) => `"${t}"`), ...(q.from ? [`from:${q.from}`] : [])].join(" ") || "from:bob";
          const searchQuery = parsed(raw);
          const context = `seed ${seed}, run ${run}, query ${JSON.stringify(raw)} in ${JSON.stringify(q.rooms)} by ${q.limit}`;
          const fromMemory = await searchAllPages(memory, searchQuery, q.rooms, q.limit);
          expect(fromMemory.hits, context).toEqual(expectedHits(chats, searchQuery, q.rooms));
          for (const { bounds, search } of searches) {
            const fromPostgres = await searchAllPages({ search }, searchQuery, q.rooms, q.limit);
            expect(fromPostgres.hits, `${context}, bounds ${JSON.stringify(bounds)}: ${JSON.stringify(example)}`).toEqual(fromMemory.hits);
          }
        }
      } finally {
        await postgres.close();
        await memory.close();
      }
    }
  }, 300_000);
});
