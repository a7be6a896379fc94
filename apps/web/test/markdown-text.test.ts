import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import MarkdownRender from "../src/components/markdown/markdown-render";
import { needsMarkdown } from "../src/components/markdown/markdown-text";
import { safeHref } from "../src/components/markdown/safe-href";

const html = (text: string) => renderToStaticMarkup(createElement(MarkdownRender, { text }));
const link = (href: string, text: string) => `<a href="${href}" target="_blank" rel="noopener noreferrer">${text}</a>`;

describe("the Markdown subset", () => {
  it("renders emphasis, strong, strikethrough and inline code", () => {
    expect(html("*em* **strong** ~~gone~~ `a < b`")).toBe(
      "<p><em>em</em> <strong>strong</strong> <del>gone</del> <code>a &lt; b</code></p>",
    );
  });

  it("renders fenced code blocks, block quotes and both kinds of list", () => {
    expect(html("```js\nconst a = 1;\n```")).toBe('<pre><code class="lang-js">const a = 1;\n</code></pre>');
    expect(html("> quoted")).toBe("<blockquote><p>quoted</p></blockquote>");
    expect(html("- a\n- b")).toBe("<ul><li>a</li><li>b</li></ul>");
    expect(html("1. one\n2. two")).toBe('<ol start="1"><li>one</li><li>two</li></ol>');
  });

  it("links http(s) and mailto, bare URLs included, and opens them in a new tab without an opener", () => {
    expect(html("see https://example.com/docs?a=1 for details")).toBe(
      `<p>see ${link("https://example.com/docs?a=1", "https://example.com/docs?a=1")} for details</p>`,
    );
    expect(html("[docs](https://example.com) <mailto:a@b.co>")).toBe(
      `<p>${link("https://example.com/", "docs")} ${link("mailto:a@b.co", "a@b.co")}</p>`,
    );
  });

  it("never links another scheme: the words stay, with nothing to click", () => {
    for (const text of ["[click](javascript:alert(1))", "[click](JaVaScRiPt:alert(1))", "[click](vbscript:x)", "[click](/relative)"]) {
      expect(html(text)).toBe("<p><span>click</span></p>");
    }
    expect(html("<javascript:alert(1)>")).toBe("<p><span>javascript:alert(1)</span></p>");
    expect(html("javascript:alert(3)")).toBe("<p>javascript:alert(3)</p>");
    expect(html("[x](data:text/html,<script>alert(1)</script>)")).not.toContain("<a");
  });

  it("shows raw HTML as the text it was typed as", () => {
    expect(html("<img src=x onerror=alert(1)>")).toBe("<p>&lt;img src=x onerror=alert(1)&gt;</p>");
    expect(html("<script>alert(2)</script>")).toBe("<p>&lt;script&gt;alert(2)&lt;/script&gt;</p>");
    expect(html('<a href="javascript:alert(1)">x</a>')).toBe("<p>&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;</p>");
  });

  it("shows images, headings, rules, tables and task boxes as typed, not as markup", () => {
    expect(html("![x](https://example.com/x.png)")).toBe("<p>![x](https://example.com/x.png)</p>");
    expect(html("# big")).toBe("<p># big</p>");
    expect(html("#1 fan")).toBe("<p>#1 fan</p>");
    expect(html("---")).toBe("<p>---</p>");
    expect(html("| a | b |\n|---|---|\n| 1 | 2 |")).not.toMatch(/<table|<t[dhr]/);
    expect(html("- [ ] task")).not.toContain("<input");
  });

  it("keeps line breaks inside a paragraph", () => {
    expect(html("line one\nline two")).toBe("<p>line one\nline two</p>");
  });
});

describe("safeHref", () => {
  it("allows http, https and mailto only", () => {
    expect(safeHref("https://example.com")).toBe("https://example.com/");
    expect(safeHref("http://example.com/a")).toBe("http://example.com/a");
    expect(safeHref("mailto:a@b.co")).toBe("mailto:a@b.co");
    for (const bad of [
      "javascript:alert(1)",
      " javascript:alert(1)",
      "java\nscript:alert(1)",
      "data:text/html,x",
      "/path",
      "file:///etc/passwd",
    ]) {
      expect(safeHref(bad)).toBeNull();
    }
  });
});

describe("needsMarkdown", () => {
  it("lets plain chat lines skip the renderer, which would show them the same", () => {
    for (const text of ["hello there", "well-known, isn't it? 3 - 2 = 1.", "line one\nline two", "price: 5 € (approx.)", "你好，世界"]) {
      expect(needsMarkdown(text)).toBe(false);
      expect(html(text)).toBe(`<p>${text.replace("'", "&#x27;")}</p>`);
    }
  });

  it("sends anything with markup, a link or a list to the renderer", () => {
    for (const text of [
      "*a*",
      "`x`",
      "> q",
      "- item",
      "1. one",
      "see https://example.com",
      "<b>",
      "a &amp; b",
      "[x](y)",
      "    code",
      "~~gone~~",
    ]) {
      expect(needsMarkdown(text)).toBe(true);
    }
  });
});
