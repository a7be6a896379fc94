import { findMentions, foldName } from "@chatroom/protocol";
import type { ReactNode } from "react";
import type { MentionMarks } from "./mention-marks";

/**
 * `text` with each mention of `marks` wrapped in a span (mentions of the reader, and `@room`, as
 * `mention-me`), by the protocol's one grammar (`findMentions`). Only React text and elements:
 * nothing is parsed as HTML, so the renderer's guarantees hold.
 */
export function mentionSpans(text: string, marks: MentionMarks, key = ""): ReactNode[] {
  const spans = findMentions(text, marks.names, marks.room);
  if (spans.length === 0) return [text];
  const mine = new Set(marks.mine.map(foldName));
  const out: ReactNode[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start > at) out.push(text.slice(at, span.start));
    const me = span.name === "room" ? marks.room : mine.has(foldName(span.name));
    out.push(
      <span key={`${key}-${span.start}`} className={me ? "mention mention-me" : "mention"} data-testid="mention" data-me={me || undefined}>
        {text.slice(span.start, span.end)}
      </span>,
    );
    at = span.end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
