import { describe, expect, it } from "vitest";
import { codePointLength, createConnectQuerySchema, DEFAULT_ROOM, isValidRoom, normalizeName } from "../src/index";

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
  const schema = createConnectQuerySchema();
  const parse = (query: Record<string, unknown>) => schema.safeParse(query);

  it("defaults the room to lobby and everything else to absent", () => {
    expect(DEFAULT_ROOM).toBe("lobby");
    expect(parse({})).toMatchObject({ success: true, data: { room: "lobby" } });
    const result = parse({});
    expect(result.success && Object.keys(result.data)).toEqual(["room"]);
  });

  it("parses every parameter", () => {
    const session = "AbC_-0123456789xyz";
    expect(parse({ room: "dev", name: " Ａｌｉｃｅ ", since: "42", session })).toEqual({
      success: true,
      data: { room: "dev", name: "Alice", since: 42, session },
    });
  });

  it.each([["0"], ["7"], ["007"], ["999999999999999"]])("accepts since %j as an integer", (since) => {
    expect(parse({ since })).toMatchObject({ success: true, data: { since: Number(since) } });
  });

  it.each([[""], ["-1"], ["1.5"], ["1e3"], ["abc"], [" 1"], ["9999999999999999"], [["1", "2"]]])("rejects since %j", (since) => {
    expect(parse({ since }).success).toBe(false);
  });

  it.each([["Lobby"], [""], ["-x"], ["a".repeat(33)], [["a", "b"]]])("rejects room %j", (room) => {
    expect(parse({ room }).success).toBe(false);
  });

  it.each([[""], ["a\u200bb"], ["x".repeat(33)], ["\u202eevil"]])("rejects name %j", (name) => {
    expect(parse({ name }).success).toBe(false);
  });

  it("follows a server's own maxNameLength", () => {
    expect(createConnectQuerySchema(40).safeParse({ name: "x".repeat(40) }).success).toBe(true);
  });

  it.each([["a".repeat(16)], ["A-_z".repeat(32)]])("accepts session %j", (session) => {
    expect(parse({ session }).success).toBe(true);
  });

  it.each([["short"], ["a".repeat(15)], ["a".repeat(129)], ["has space in the token"], ["dots.are.not.allowed"]])(
    "rejects session %j",
    (session) => {
      expect(parse({ session }).success).toBe(false);
    },
  );

  it("ignores unknown parameters such as cache busters", () => {
    const parsed = parse({ room: "general", _: "1700000000" });
    expect(parsed.success).toBe(true);
    expect(parsed.data).toEqual({ room: "general" });
  });
});
