import { describe, expect, it } from "vitest";
import { codePointLength, DEFAULT_ROOM, isProtocol1Query, isValidRoom, normalizeName, PROTOCOL_1_QUERY_PARAMS } from "../src/index";

describe("codePointLength", () => {
  it.each([
    ["", 0],
    ["abc", 3],
    ["😀", 1],
    ["a😀b", 3],
    ["👍🏽", 2],
    ["\ud800", 1],
    ["\udc00x", 2],
    ["日本語", 3],
  ])("%j has %i code points", (text, length) => {
    expect(codePointLength(text)).toBe(length);
  });
});

describe("normalizeName", () => {
  it.each([
    ["   ", "empty"],
    ["x".repeat(33), "too_long"],
    ["bad\u202Ename", "forbidden_characters"],
    ["zero\u200Bwidth", "forbidden_characters"],
    // A combining grapheme joiner, a Hangul filler, a variation selector after a letter: all invisible.
    ["a\u034Fb", "forbidden_characters"],
    ["\u3164bob", "forbidden_characters"],
    ["alice\uFE0F", "forbidden_characters"],
  ] as const)("names why %j is refused as data (%s), for UIs in any language", (input, problem) => {
    const checked = normalizeName(input);
    expect(checked.ok).toBe(false);
    if (!checked.ok) expect(checked.problem).toBe(problem);
  });

  it.each([
    ["alice", "alice"],
    ["  alice  ", "alice"],
    ["Ａｌｉｃｅ", "Alice"],
    ["ﬁsh", "fish"],
    ["e\u0301", "é"],
    ["\u3000bob\u3000", "bob"],
    ["alice (2)", "alice (2)"],
    ["王小明", "王小明"],
    ["❤\uFE0F alice", "❤\uFE0F alice"],
    ["bob 😀", "bob 😀"],
  ])("%j becomes %j", (input, name) => {
    expect(normalizeName(input)).toEqual({ ok: true, name });
  });

  it("counts the limit in code points after normalization", () => {
    expect(normalizeName("😀".repeat(32)).ok).toBe(true);
    expect(normalizeName("😀".repeat(33)).ok).toBe(false);
    expect(normalizeName(` ${"a".repeat(32)} `).ok).toBe(true);
    // U+FB03 (ﬃ) becomes three letters under NFKC, so 11 of them are 33 code points.
    expect(normalizeName("ﬃ".repeat(11)).ok).toBe(false);
    expect(normalizeName("abc", 2).ok).toBe(false);
  });

  it.each([
    ["empty", ""],
    ["whitespace only", " \t "],
    ["NUL", "a\u0000"],
    ["DEL", "a\u007f"],
    ["C1 control", "a\u0085b"],
    ["tab inside", "a\tb"],
    ["zero-width space", "a\u200bb"],
    ["zero-width non-joiner", "a\u200cb"],
    ["zero-width joiner", "a\u200db"],
    ["word joiner", "a\u2060b"],
    ["byte-order mark inside", "a\ufeffb"],
    ["left-to-right override", "a\u202db"],
    ["right-to-left override", "\u202eabc"],
    ["right-to-left isolate", "a\u2067b"],
    ["line separator", "a\u2028b"],
    ["paragraph separator", "a\u2029b"],
  ])("rejects a name with %s", (_label, input) => {
    const result = normalizeName(input);
    expect(result.ok).toBe(false);
  });
});

describe("isValidRoom", () => {
  it.each([["lobby"], ["a"], ["0"], ["dev-team_2"], [`a${"b".repeat(31)}`]])("accepts %j", (room) => {
    expect(isValidRoom(room)).toBe(true);
  });

  it.each([[""], ["Lobby"], ["-lobby"], ["_x"], ["a b"], ["a.b"], ["é"], [`a${"b".repeat(32)}`], ["lobby\n"]])("rejects %j", (room) => {
    expect(isValidRoom(room)).toBe(false);
  });
});

describe("the /ws query", () => {
  it("names the lobby as the default room", () => {
    expect(DEFAULT_ROOM).toBe("lobby");
  });

  it.each([["room"], ["name"], ["since"], ["session"]])("a query with protocol 1's %j parameter is a protocol 1 client", (param) => {
    expect(isProtocol1Query({ [param]: "x" })).toBe(true);
    expect(isProtocol1Query({ v: "3", [param]: "" })).toBe(true);
  });

  it("ignores other parameters: cache busters and tags are not protocol 1", () => {
    expect(isProtocol1Query({})).toBe(false);
    expect(isProtocol1Query({ v: "3", utm_source: "mail", rooms: "a" })).toBe(false);
  });

  it("lists exactly protocol 1's parameters", () => {
    expect([...PROTOCOL_1_QUERY_PARAMS].sort()).toEqual(["name", "room", "session", "since"]);
  });
});
