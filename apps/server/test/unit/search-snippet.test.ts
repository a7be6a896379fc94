import { describe, expect, it } from "vitest";
import { buildSnippet } from "../../src/backend/search/snippet";

const marked = ({ snippet, highlights }: { snippet: string; highlights: Array<[number, number]> }) =>
  highlights.reduceRight((text, [start, end]) => `${text.slice(0, start)}[${text.slice(start, end)}]${text.slice(end)}`, snippet);

describe("buildSnippet", () => {
  it("keeps a short text whole and highlights every occurrence of every term, merged where they overlap", () => {
    expect(buildSnippet("Hello hello HELLO", ["hello"])).toEqual({
      snippet: "Hello hello HELLO",
      highlights: [
        [0, 5],
        [6, 11],
        [12, 17],
      ],
    });
    expect(marked(buildSnippet("测试环境测试", ["测试", "试环"]))).toBe("[测试环]境[测试]");
    expect(marked(buildSnippet("abc abd", ["ab", "c"]))).toBe("[abc] [ab]d");
  });

  it("maps folded matches back to the text as written (NFKC, case, full width)", () => {
    expect(marked(buildSnippet("ＨＥＬＬＯ world", ["hello"]))).toBe("[ＨＥＬＬＯ] world");
    expect(marked(buildSnippet("a ﬁne day", ["fine"]))).toBe("a [ﬁne] day");
    expect(marked(buildSnippet("say ﬁ", ["i"]))).toBe("say [ﬁ]");
  });

  it("cuts a long text around the first match, with … where it was cut, never inside a surrogate pair", () => {
    const before = "😀".repeat(100);
    const after = "x".repeat(200);
    const { snippet, highlights } = buildSnippet(`${before} needle ${after}`, ["needle"]);
    expect(snippet.startsWith("…😀")).toBe(true);
    expect(snippet.endsWith("x…")).toBe(true);
    expect([...snippet.slice(1, -1)].length).toBe(160);
    expect(snippet.slice(...(highlights[0] as [number, number]))).toBe("needle");
    // The match near the end: the window uses the room on the left.
    const tail = buildSnippet(`${"y".repeat(300)} end`, ["end"]);
    expect(tail.snippet).toBe(`…${"y".repeat(156)} end`);
    // No match (a from: query): the start of the text.
    expect(buildSnippet("z".repeat(200), []).snippet).toBe(`${"z".repeat(160)}…`);
  });
});
