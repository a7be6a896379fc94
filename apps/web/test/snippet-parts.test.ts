import { describe, expect, it } from "vitest";
import { snippetParts } from "../src/components/search/snippet-parts";

describe("snippetParts", () => {
  it("cuts a snippet at its highlights, English and Chinese alike", () => {
    expect(snippetParts("…明天的测试环境准备好了", [[4, 6]])).toEqual([
      { text: "…明天的", match: false },
      { text: "测试", match: true },
      { text: "环境准备好了", match: false },
    ]);
    expect(
      snippetParts("deploy the deploy", [
        [0, 6],
        [11, 17],
      ]),
    ).toEqual([
      { text: "deploy", match: true },
      { text: " the ", match: false },
      { text: "deploy", match: true },
    ]);
  });

  it("keeps markup as text: the page renders parts as text and <mark>, never as HTML", () => {
    expect(snippetParts("<b>x</b> <script>", [[9, 17]])).toEqual([
      { text: "<b>x</b> ", match: false },
      { text: "<script>", match: true },
    ]);
  });

  it("merges overlapping or unsorted ranges and clamps ranges out of bounds, losing no text", () => {
    const parts = snippetParts("abcdefgh", [
      [5, 99],
      [1, 3],
      [2, 4],
      [7, 2],
      [-4, 0],
    ]);
    expect(parts).toEqual([
      { text: "a", match: false },
      { text: "bcd", match: true },
      { text: "e", match: false },
      { text: "fgh", match: true },
    ]);
    expect(parts.map((part) => part.text).join("")).toBe("abcdefgh");
    expect(snippetParts("plain", [])).toEqual([{ text: "plain", match: false }]);
  });
});
