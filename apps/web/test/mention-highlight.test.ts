import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import MarkdownRender from "../src/components/markdown/markdown-render";
import { mentionMarksOf } from "../src/components/markdown/mention-marks";

const alice = { id: "u-alice", name: "alice" };
const bob = { id: "u-bob", name: "Ann Lee" };
const html = (text: string, mentions = mentionMarksOf({ mentions: [alice, bob], mentionsRoom: true }, alice.id)) =>
  renderToStaticMarkup(createElement(MarkdownRender, { text, mentions }));
const me = (text: string) => `<span class="mention mention-me" data-testid="mention" data-me="true">${text}</span>`;
const other = (text: string) => `<span class="mention" data-testid="mention">${text}</span>`;

describe("mentions in rendered messages", () => {
  it("marks the listed names by the protocol's grammar, the reader's and @room standing out", () => {
    expect(html("hi @alice and @ann lee, @room")).toBe(`<p>hi ${me("@alice")} and ${other("@ann lee")}, ${me("@room")}</p>`);
  });

  it("leaves an address, a longer name, code and unlisted names alone", () => {
    expect(html("mail ann@alice.com or @alicea or @carol")).toBe("<p>mail ann@alice.com or @alicea or @carol</p>");
    expect(html("`@alice` **@alice**")).toBe(`<p><code>@alice</code> <strong>${me("@alice")}</strong></p>`);
  });

  it("keeps the renderer's guarantees: markup in a mentioning text stays text", () => {
    const out = html('@alice <img src=x onerror="alert(1)"> [x](javascript:alert(1))');
    expect(out).not.toContain("<img");
    expect(out).not.toContain('href="javascript');
    expect(out.startsWith(`<p>${me("@alice")}`)).toBe(true);
  });

  it("a chat that mentions nobody has no marks (and is rendered without the highlighter)", () => {
    expect(mentionMarksOf({}, alice.id)).toBeUndefined();
  });
});
