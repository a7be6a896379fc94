import { DEFAULT_LIMITS, parseSearchQuery, type User } from "@chatroom/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backend } from "../../../src/backend/backend";
import type { ChangeKind } from "../../../src/backend/message-store";
import { changeOf, chatOf } from "../append-helpers";
import { expectedHits, type KnownChat, parsed, searchAllPages } from "./search-oracle";

export interface SearchHarness {
  backend: Backend;
  cleanup(): Promise<void>;
  /** SQLite only: checkpoints the WAL and returns the database file's bytes. */
  fileBytes?: () => Buffer;
  /**
   * False when the store cannot hold U+0000 in a text (PostgreSQL's `text` cannot): the hostile
   * chat is then stored without it, and the NUL queries must still find nothing.
   */
  textHoldsNul?: boolean;
}

export type SearchHarnessFactory = (options: { now: () => number }) => Promise<SearchHarness>;

const alice: User = { id: "u_alice", name: "Alice" };
const bob: User = { id: "u_bob", name: "bob" };
const chen: User = { id: "u_chen", name: "陈静" };
const DAY = 24 * 60 * 60 * 1000;
const START = Date.UTC(2026, 0, 1);

/**
 * What every `MessageSearch` must do, as a vitest suite; memory, SQLite and PostgreSQL each call it.
 * Every answer is compared with `expectedHits`, the rules written out again over what the test
 * stored, so all backends give the same hits.
 */
export function describeSearchContract(name: string, factory: SearchHarnessFactory): void {
  describe(`MessageSearch contract: ${name}`, () => {
    let harness: SearchHarness;
    let clock = START;
    let corpus: Map<string, KnownChat>;
    let sent = 0;
    const append = (room: string, from: User, change: ChangeKind) =>
      harness.backend.messages.append({ room, actor: from, clientMsgId: `c-${++sent}`, ...change });

    beforeEach(async () => {
      clock = START;
      corpus = new Map();
      harness = await factory({ now: () => clock });
    });
    afterEach(async () => {
      await harness.cleanup();
    });

    /** Stores a chat at `ts` and remembers it. */
    async function chat(room: string, from: User, text: string, ts = clock + 1): Promise<number> {
      clock = ts;
      const stored = chatOf(await append(room, from, { kind: "chat", text }));
      corpus.set(`${room}/${stored.seq}`, { room, seq: stored.seq, ts, from, text });
      return stored.seq;
    }
    async function edit(room: string, from: User, seq: number, text: string): Promise<void> {
      clock++;
      changeOf(await append(room, from, { kind: "edit", target: seq, text }));
      const known = corpus.get(`${room}/${seq}`);
      if (known) known.text = text;
    }
    async function remove(room: string, from: User, seq: number): Promise<void> {
      clock++;
      changeOf(await append(room, from, { kind: "delete", target: seq }));
      const known = corpus.get(`${room}/${seq}`);
      if (known) delete known.text;
    }
    /** Searches every page and checks the answer against the rules; returns the hits' `room/seq`. */
    async function search(raw: string, rooms: readonly string[], limit = 20): Promise<string[]> {
      const query = parsed(raw);
      const { hits } = await searchAllPages(harness.backend, query, rooms, limit);
      expect(hits, `hits for ${JSON.stringify(raw)}`).toEqual(expectedHits(corpus.values(), query, rooms));
      return hits.map((hit) => `${hit.room}/${hit.seq}`);
    }

    it("finds English words and phrases case-insensitively, as substrings, every term required", async () => {
      await chat("lobby", alice, "Hello World, the deploy is DONE");
      await chat("lobby", bob, "hello again");
      await chat("lobby", bob, "Say hi to the world");
      await chat("lobby", alice, "ＦＵＬＬ width ＨＥＬＬＯ");
      expect(await search("hello", ["lobby"])).toEqual(["lobby/4", "lobby/2", "lobby/1"]);
      expect(await search("HELLO world", ["lobby"])).toEqual(["lobby/1"]);
      expect(await search('"hello world"', ["lobby"])).toEqual(["lobby/1"]);
      expect(await search("orl", ["lobby"])).toEqual(["lobby/3", "lobby/1"]);
      expect(await search("hi", ["lobby"])).toEqual(["lobby/3"]);
      expect(await search("o", ["lobby"])).toEqual(["lobby/4", "lobby/3", "lobby/2", "lobby/1"]);
      expect(await search("nothing-here", ["lobby"])).toEqual([]);
    });

    it("finds Chinese words of one, two and three or more characters", async () => {
      await chat("lobby", chen, "功能测试通过了");
      await chat("lobby", chen, "明天的测试环境准备好了");
      await chat("lobby", bob, "测量 a 试验");
      await chat("lobby", bob, "测a试 is not 测试");
      await chat("lobby", alice, "これはテストです 한국어 시험");
      expect(await search("测", ["lobby"])).toEqual(["lobby/4", "lobby/3", "lobby/2", "lobby/1"]);
      expect(await search("测试", ["lobby"])).toEqual(["lobby/4", "lobby/2", "lobby/1"]);
      expect(await search("测试环境", ["lobby"])).toEqual(["lobby/2"]);
      expect(await search("试通过", ["lobby"])).toEqual(["lobby/1"]);
      expect(await search("好了 明天", ["lobby"])).toEqual(["lobby/2"]);
      expect(await search("了", ["lobby"])).toEqual(["lobby/2", "lobby/1"]);
      expect(await search("テスト", ["lobby"])).toEqual(["lobby/5"]);
      expect(await search("시험", ["lobby"])).toEqual(["lobby/5"]);
      expect(await search("测 a", ["lobby"])).toEqual(["lobby/4", "lobby/3"]);
      const [hit] = (await harness.backend.search.search({ query: parsed("测试"), rooms: ["lobby"], limit: 1 })).hits.filter(
        (found) => found.seq === 4,
      );
      expect(hit).toMatchObject({ snippet: "测a试 is not 测试", highlights: [[11, 13]], from: bob });
    });

    it("filters by author (from:, as the name was when written), day range (after:, before:) and rooms", async () => {
      await chat("lobby", alice, "release notes", START + 1);
      await chat("lobby", bob, "release party", START + DAY + 5);
      await chat("dev", bob, "release build", START + 2 * DAY);
      await chat("dev", chen, "发布 release", START + 2 * DAY + 1);
      await chat("lobby", { ...alice, name: "Alice Liddell" }, "release later", START + 3 * DAY);
      const rooms = ["lobby", "dev"];
      expect(await search("release from:alice", rooms)).toEqual(["lobby/1"]);
      expect(await search('release from:"alice liddell"', rooms)).toEqual(["lobby/3"]);
      expect(await search("from:BOB", rooms)).toEqual(["dev/1", "lobby/2"]);
      expect(await search("from:陈静", rooms)).toEqual(["dev/2"]);
      expect(await search("release after:2026-01-02", rooms)).toEqual(["lobby/3", "dev/2", "dev/1", "lobby/2"]);
      expect(await search("release before:2026-01-03", rooms)).toEqual(["lobby/2", "lobby/1"]);
      expect(await search("release after:2026-01-02 before:2026-01-03", rooms)).toEqual(["lobby/2"]);
      expect(await search("release", ["dev"])).toEqual(["dev/2", "dev/1"]);
      expect(await search("release", [])).toEqual([]);
    });

    it("finds an edited chat by its new text only, in every index", async () => {
      const seq = await chat("lobby", alice, "alpha bravo 旧文本 测");
      await chat("lobby", bob, "unrelated");
      await edit("lobby", alice, seq, "charlie delta 新内容 验");
      expect(await search("bravo", ["lobby"])).toEqual([]);
      expect(await search("旧文本", ["lobby"])).toEqual([]);
      expect(await search("旧文", ["lobby"])).toEqual([]);
      expect(await search("测", ["lobby"])).toEqual([]);
      expect(await search("charlie", ["lobby"])).toEqual(["lobby/1"]);
      expect(await search("新内容", ["lobby"])).toEqual(["lobby/1"]);
      expect(await search("内容", ["lobby"])).toEqual(["lobby/1"]);
      expect(await search("验", ["lobby"])).toEqual(["lobby/1"]);
      // An edit back to the first text is found by it again.
      await edit("lobby", alice, seq, "alpha bravo again");
      expect(await search("bravo", ["lobby"])).toEqual(["lobby/1"]);
      expect(await search("charlie", ["lobby"])).toEqual([]);
    });

    it("never finds a deleted chat, and SQLite keeps no trace of it in the file", async () => {
      const token = `zq${Date.now().toString(36)}xv`;
      const seq = await chat("lobby", alice, `secret ${token} 机密龘`);
      await edit("lobby", alice, seq, `secret ${token} edited 机密龘`);
      await chat("lobby", bob, "kept plain text 保留");
      await remove("lobby", alice, seq);
      for (const raw of [token, "secret", "机密", "龘", "edited"]) expect(await search(raw, ["lobby"])).toEqual([]);
      expect(await search("kept", ["lobby"])).toEqual(["lobby/3"]);
      if (harness.fileBytes) {
        const bytes = harness.fileBytes();
        expect(bytes.includes("kept plain text"), "a text that was not deleted is in the file: the check can see").toBe(true);
        expect(bytes.includes(token)).toBe(false);
        expect(bytes.includes("机密龘")).toBe(false);
      }
    });

    it("returns only the rooms it is given (a private room left out never leaks)", async () => {
      await chat("lobby", alice, "the plan is ready");
      await chat("secret", bob, "the plan is secret 计划");
      await chat("other", bob, "the plan elsewhere");
      expect(await search("plan", ["lobby", "other"])).toEqual(["other/1", "lobby/1"]);
      expect(await search("计划", ["lobby", "other"])).toEqual([]);
      expect(await search("from:bob", ["lobby"])).toEqual([]);
    });

    it("pages newest first with a cursor: no duplicates and no gaps, ties on ts ordered by room then seq", async () => {
      const rooms = ["a-room", "b-room", "c-room"];
      for (let i = 0; i < 40; i++) {
        const room = rooms[i % 3] as string;
        // Four chats share each timestamp, across rooms and within one.
        await chat(room, i % 2 === 0 ? alice : bob, `${i % 5 === 0 ? "skip" : "page"} item ${i} 页面`, START + Math.floor(i / 4) * 1000);
      }
      for (const limit of [1, 3, 7, 50]) {
        for (const raw of ["page", "item", "页面", "页", "from:alice", "e"]) {
          const query = parsed(raw);
          const { hits } = await searchAllPages(harness.backend, query, rooms, limit);
          const expected = expectedHits(corpus.values(), query, rooms);
          expect(hits, `${raw} by ${limit}`).toEqual(expected);
          expect(new Set(hits.map((hit) => `${hit.room}/${hit.seq}`)).size).toBe(hits.length);
        }
      }
    });

    it("answers hostile queries exactly, never with an error", async () => {
      await chat("lobby", alice, 'say "quoted" and a*b NEAR(x y) OR ^caret -minus col:on (paren) 测试');
      await chat("lobby", bob, "plain words only");
      await chat("lobby", bob, `nul${harness.textHoldsNul === false ? "" : "\u0000"}byte and lone`);
      const hostile = [
        '"',
        '""',
        '"quoted"',
        '"unclosed',
        "*",
        "a*b",
        "NEAR(x",
        "NEAR(x y)",
        "OR",
        "x OR y",
        "^caret",
        "-minus",
        "col:on",
        ":",
        "(paren)",
        "(",
        ")",
        "AND NOT",
        "nul\u0000byte",
        "\u0000",
        "\ud800",
        "lone \udc00",
        "\ud800 lone",
        "测试 OR plain",
        "a".repeat(DEFAULT_LIMITS.searchQueryMaxLength),
        "测".repeat(DEFAULT_LIMITS.searchQueryMaxLength),
        "one two three four five six seven eight nine ten",
        "{}",
        "body:plain",
        "search_trigram",
        "'; DROP TABLE chats; --",
      ];
      for (const raw of hostile) {
        const parse = parseSearchQuery(raw);
        if (!parse.ok) continue;
        const { hits } = await searchAllPages(harness.backend, parse.query, ["lobby"], 5);
        expect(hits, JSON.stringify(raw)).toEqual(expectedHits(corpus.values(), parse.query, ["lobby"]));
      }
      // The three hostile chats are still there to find.
      expect(await search("plain", ["lobby"])).toEqual(["lobby/2"]);
      expect(await search('"near(x y)"', ["lobby"])).toEqual(["lobby/1"]);
    });
  });
}
