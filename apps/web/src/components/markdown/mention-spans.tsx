import type { ReactNode } from "react";
import type { MentionMarks } from "./mention-marks";

/**
 * `text` with each mention of `marks` wrapped in a span (mentions of the reader, and `@room` from
 * others, as `mention-me`). Only React text and elements: nothing is parsed as HTML, so the
 * renderer's guarantees hold.
 */
export function mentionSpans(text: string, marks: MentionMarks, key = ""): ReactNode[] {
  const ranges = marks.ranges(text);
  if (ranges.length === 0) return [text];
  const out: ReactNode[] = [];
  let at = 0;
  for (const range of ranges) {
    if (range.start > at) out.push(text.slice(at, range.start));
    out.push(
      <span
        key={`${key}-${range.start}`}
        className={range.me ? "mention mention-me" : "mention"}
        data-testid="mention"
        data-me={range.me || undefined}
      >
        {text.slice(range.start, range.end)}
      </span>,
    );
    at = range.end;
  }
  if (at < text.length) out.push(text.slice(at));
  return out;
}
