import type { User } from "@chatroom/protocol";
import fc from "fast-check";
import type { Backend } from "../../../src/backend/backend";
import type { KnownChat } from "./search-oracle";

/** English, Chinese, Japanese and Korean words: the corpus every store's search property is run on. */
export const SEARCH_WORDS = [
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

export const SEARCH_USERS: User[] = [
  { id: "u_a", name: "Alice" },
  { id: "u_b", name: "bob" },
  { id: "u_c", name: "陈静" },
];

/**
 * Random corpora (chats, edits, deletions over `rooms`) and queries (1–3 terms: whole words and
 * their prefixes, plus `extraTerms` such as infixes; an optional `from:`; a subset of the rooms; a
 * page size), the same shape for every store's property test so they test the same thing.
 */
export function searchScenario(options: { words: readonly string[]; rooms: readonly string[]; extraTerms?: fc.Arbitrary<string>[] }) {
  const { words, rooms } = options;
  const text = fc
    .tuple(fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 8 }), fc.constantFrom(" ", "", ", "))
    .map(([picked, separator]) => picked.join(separator));
  const operation = fc.oneof(
    {
      weight: 6,
      arbitrary: fc.record({ kind: fc.constant("chat" as const), room: fc.constantFrom(...rooms), user: fc.nat(2), text, tick: fc.nat(2) }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant("edit" as const), pick: fc.nat(), text }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant("delete" as const), pick: fc.nat() }) },
  );
  const term = fc.oneof(
    fc.constantFrom(...words),
    fc.constantFrom(...words).map((word) => [...word].slice(0, 2).join("")),
    ...(options.extraTerms ?? []),
  );
  const query = fc.record({
    terms: fc.array(term, { minLength: 0, maxLength: 3 }),
    from: fc.option(fc.constantFrom("alice", "BOB", "陈静"), { nil: undefined }),
    rooms: fc.subarray([...rooms]),
    limit: fc.integer({ min: 1, max: 6 }),
  });
  return fc.record({
    operations: fc.array(operation, { minLength: 1, maxLength: 40 }),
    queries: fc.array(query, { minLength: 1, maxLength: 6 }),
  });
}

export type SearchScenario = ReturnType<typeof searchScenario> extends fc.Arbitrary<infer T> ? T : never;

/**
 * Applies the same changes, at the same clock, to each backend in turn, and checks they agree on
 * every seq (every event takes one: edits and deletions too); returns what the test knows of the chats.
 */
export async function replaySearchScenario(
  backends: readonly Backend[],
  scenario: SearchScenario,
  setClock: (ts: number) => void,
): Promise<KnownChat[]> {
  let ts = Date.UTC(2026, 0, 1);
  const chats: KnownChat[] = [];
  for (const [index, op] of scenario.operations.entries()) {
    ts += op.kind === "chat" ? op.tick : 1;
    setClock(ts);
    const target = op.kind === "chat" ? undefined : chats[op.pick % Math.max(1, chats.length)];
    if (op.kind !== "chat" && (!target || target.text === undefined)) continue;
    const from = op.kind === "chat" ? (SEARCH_USERS[op.user] as User) : (target as KnownChat).from;
    const change =
      op.kind === "chat"
        ? { room: op.room, kind: "chat" as const, text: op.text }
        : op.kind === "edit"
          ? { room: (target as KnownChat).room, kind: "edit" as const, target: (target as KnownChat).seq, text: op.text }
          : { room: (target as KnownChat).room, kind: "delete" as const, target: (target as KnownChat).seq };
    const seqs = new Set<number>();
    for (const backend of backends) {
      const result = await backend.messages.append({ clientMsgId: `op-${index}`, actor: from, ...change });
      if (!result.ok) throw new Error(`${op.kind} refused: ${result.code}`);
      seqs.add(result.ack.seq);
    }
    if (seqs.size !== 1) throw new Error(`the backends stored the ${op.kind} at different seqs: ${[...seqs].join(", ")}`);
    if (op.kind === "chat") chats.push({ room: op.room, seq: [...seqs][0] as number, ts, from, text: op.text });
    else if (op.kind === "edit") (target as KnownChat).text = op.text;
    else delete (target as KnownChat).text;
  }
  return chats;
}
