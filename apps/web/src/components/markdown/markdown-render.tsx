import Markdown, { type MarkdownToJSX, RuleType } from "markdown-to-jsx";
import { type ReactNode, useMemo } from "react";
import type { MentionMarks } from "./mention-marks";
import { mentionSpans } from "./mention-spans";
import { safeHref } from "./safe-href";

/**
 * The rules that render as Markdown: emphasis and strong (and ~~strikethrough~~), inline code,
 * code blocks, block quotes, lists, line breaks, and links (written, <angle-bracketed> or bare).
 * A whitelist: any other rule the parser knows, or learns in a later version (headings, tables,
 * images, footnotes, task boxes, rules, raw HTML), is shown as the text the author typed.
 */
const RENDERED = new Set<string>([
  RuleType.blockQuote,
  RuleType.breakLine,
  RuleType.codeBlock,
  RuleType.codeFenced,
  RuleType.codeInline,
  RuleType.newlineCoalescer,
  RuleType.orderedList,
  RuleType.unorderedList,
  RuleType.paragraph,
  RuleType.text,
  RuleType.textEscaped,
  RuleType.textFormatted,
]);

/** The source a construct outside the subset was written as, as near as the parsed node tells it. */
function literal(node: MarkdownToJSX.ASTNode, children: MarkdownToJSX.RuleOutput, state: MarkdownToJSX.State): ReactNode {
  switch (node.type) {
    case RuleType.heading:
      return (
        <p key={state.key}>
          {"#".repeat(node.level)} {children(node.children, state)}
        </p>
      );
    case RuleType.image:
      return `![${node.alt ?? ""}](${node.target})`;
    case RuleType.refImage:
      return `![${node.alt ?? ""}][${node.ref}]`;
    case RuleType.refLink:
      return node.fallbackChildren;
    case RuleType.gfmTask:
      return node.completed ? "[x] " : "[ ] ";
    case RuleType.breakThematic:
      return <p key={state.key}>---</p>;
    case RuleType.footnoteReference:
      return `[^${node.text}]`;
    case RuleType.table:
      // One line per row, cells between bars, as it was typed (less the alignment row).
      return (
        <p key={state.key}>
          {[node.header, ...node.cells].map((row, r) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows of one parsed text never reorder
            <span key={r}>
              {r > 0 && "\n"}
              {row.map((cell, c) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells of one parsed row never reorder
                <span key={c}>
                  {"|"}
                  {children(cell, state)}
                </span>
              ))}
              |
            </span>
          ))}
        </p>
      );
    default:
      // Tables, footnotes and anything newer: their text, never their markup.
      if ("children" in node && Array.isArray(node.children)) return children(node.children, state);
      if ("text" in node && typeof node.text === "string") return node.text;
      return null;
  }
}

const BASE_OPTIONS: MarkdownToJSX.Options = {
  // Raw HTML is never parsed: `<img onerror>` stays the text it was typed as.
  disableParsingRawHTML: true,
  // A message's text goes into a <div> already: no extra wrapper around several blocks.
  wrapper: null,
  forceBlock: true,
  // Headings with no space after '#' are text in chat ("#1 fan"), not section titles.
  enforceAtxHeadings: true,
  // No named entities beyond the basic ones (the default); and no URL survives that is not http(s) or mailto.
  sanitizer: (value) => safeHref(value) ?? "",
  renderRule: (next, node, children, state) => renderRule(next, node, children, state, undefined),
};

function renderRule(
  next: () => ReactNode,
  node: MarkdownToJSX.ASTNode,
  children: MarkdownToJSX.RuleOutput,
  state: MarkdownToJSX.State,
  mentions: MentionMarks | undefined,
): ReactNode {
  // Mentions are marked in plain text runs only: never inside code, never as markup.
  if (mentions && node.type === RuleType.text) return mentionSpans(node.text, mentions, String(state.key ?? ""));
  if (node.type === RuleType.link) {
    const href = safeHref(node.target);
    // Not a web or mail address: its words, with nothing to click.
    if (href === null) return <span key={state.key}>{children(node.children, state)}</span>;
    return (
      <a key={state.key} href={href} target="_blank" rel="noopener noreferrer">
        {children(node.children, state)}
      </a>
    );
  }
  return RENDERED.has(node.type) ? next() : literal(node, children, state);
}

/**
 * A message's text as React elements from a safe Markdown subset (see RENDERED). Nothing is ever
 * set as HTML: markdown-to-jsx builds elements, raw HTML is not parsed, and links are checked.
 * Its own chunk, loaded by markdown-text.tsx when a message first needs it.
 */
export default function MarkdownRender({ text, mentions }: { text: string; mentions?: MentionMarks | undefined }) {
  const options = useMemo<MarkdownToJSX.Options>(
    () =>
      mentions
        ? { ...BASE_OPTIONS, renderRule: (next, node, children, state) => renderRule(next, node, children, state, mentions) }
        : BASE_OPTIONS,
    [mentions],
  );
  return <Markdown options={options}>{text}</Markdown>;
}
