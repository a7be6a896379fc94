import { describe, expect, it } from "vitest";
import { findMentions } from "../src/index";

const names = (text: string, candidates: string[], withRoom = true) => findMentions(text, candidates, withRoom).map((span) => span.name);

describe("findMentions", () => {
  it("finds @names at the start, after spaces and punctuation, with offsets of the whole mention", () => {
    expect(findMentions("@alice hi, (@bob)", ["alice", "bob"])).toEqual([
      { start: 0, end: 6, name: "alice" },
      { start: 12, end: 16, name: "bob" },
    ]);
  });

  it("compares names case-insensitively and reports them as the candidates spell them", () => {
    expect(names("hey @ALICE", ["Alice"])).toEqual(["Alice"]);
  });

  it("prefers the longest name, and does not match a name that runs on into a letter", () => {
    expect(names("@ann lee and @ann, not @anna", ["ann", "ann lee"])).toEqual(["ann lee", "ann"]);
  });

  it("ignores an @ inside a word, such as an e-mail address", () => {
    expect(names("mail ann@example.com or a.b@ann", ["ann", "example"])).toEqual([]);
  });

  it("finds @room only when asked, and unknown names not at all", () => {
    expect(names("@room look @nobody", [])).toEqual(["room"]);
    expect(names("@room look", [], false)).toEqual([]);
  });

  it("finds names in Chinese text and names with spaces or emoji", () => {
    expect(names("请@小明 看一下，@ann lee 🎉 也是", ["小明", "ann lee"])).toEqual(["小明", "ann lee"]);
  });

  it("keeps offsets right when folding would change the length of the text", () => {
    const text = "İstanbul @bob";
    const [span] = findMentions(text, ["bob"]);
    expect(text.slice(span?.start, span?.end)).toBe("@bob");
  });
});
