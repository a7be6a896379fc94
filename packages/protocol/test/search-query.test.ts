import { describe, expect, it } from "vitest";
import { parseSearchQuery } from "../src/index";

function parsed(raw: string) {
  const result = parseSearchQuery(raw);
  if (!result.ok) throw new Error(`expected a query, got: ${result.reason}`);
  return result.query;
}

function refused(raw: string): string {
  const result = parseSearchQuery(raw);
  if (result.ok) throw new Error(`expected a refusal, got ${JSON.stringify(result.query)}`);
  return result.reason;
}

describe("parseSearchQuery", () => {
  it("reads words, quoted phrases and filters", () => {
    expect(parsed('Deploy "release notes" from:Bob in:lobby after:2026-01-01 before:2026-02-01')).toEqual({
      terms: ["deploy", "release notes"],
      from: "bob",
      room: "lobby",
      after: Date.UTC(2026, 0, 1),
      before: Date.UTC(2026, 1, 1),
    });
  });

  it("takes a quoted author name and Chinese words of any length", () => {
    expect(parsed('from:"Ann Lee" 测 测试 测试环境')).toEqual({ terms: ["测", "测试", "测试环境"], from: "ann lee" });
  });

  it("treats FTS and other syntax as text to find", () => {
    expect(parsed('a* NEAR(b c) OR -d "unclosed')).toEqual({ terms: ["a*", "near(b", "c)", "or", "-d", "unclosed"] });
    expect(parsed("http://example.com/x")).toEqual({ terms: ["http://example.com/x"] });
  });

  it("folds with NFKC, so full-width letters find their plain forms", () => {
    expect(parsed("ＡＢＣ")).toEqual({ terms: ["abc"] });
  });

  it.each([
    ["", "the query is empty"],
    ["   ", "the query is empty"],
    ["x".repeat(501), "the query is longer than 500 characters"],
    ["a b c d e f g h i j k", "at most 10 words or phrases"],
    ["from:", "from: needs a value"],
    ["in:Not_A_Room x", "in:Not_A_Room is not a room name"],
    ["after:2026-13-01 x", "after:2026-13-01 is not a day (YYYY-MM-DD)"],
    ["before:2026-02-30 x", "before:2026-02-30 is not a day (YYYY-MM-DD)"],
    ["after:2026-02-01 before:2026-01-01 x", "after: must be a day before before:"],
    ['from:"" x', "from: needs a value"],
    ["in:lobby", "search for some text or use from:"],
  ])("refuses %j: %s", (raw, reason) => {
    expect(refused(raw)).toBe(reason);
  });

  it("accepts a query of exactly 500 code points, counted as code points", () => {
    expect(parsed("😀".repeat(500)).terms).toEqual(["😀".repeat(500)]);
  });
});
