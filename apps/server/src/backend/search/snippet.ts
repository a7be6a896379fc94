import { codePointLength, foldSearchText } from "@chatroom/protocol";

/** How much of a text a snippet shows, in code points, and how much of it comes before the first match. */
export const SNIPPET_DEFAULTS = { length: 160, before: 40, ellipsis: "…" } as const;

export interface Snippet {
  snippet: string;
  /** `[start, end)` UTF-16 offsets into `snippet`, sorted, never overlapping. */
  highlights: Array<[number, number]>;
}

const graphemes = new Intl.Segmenter(undefined, { granularity: "grapheme" });

/**
 * The part of `text` around its first match of any of `terms` (folded, as the matcher has them),
 * with `…` where it was cut, and every occurrence of every term inside it. Pure: no I/O, no clock.
 *
 * Terms are found in the folded text, whose offsets differ from the text's (NFKC turns `ﬁ` into
 * `fi`), so the text is folded one grapheme at a time and each folded offset maps back to the
 * grapheme it came from: a highlight always covers whole graphemes of the text as written.
 */
export function buildSnippet(text: string, terms: readonly string[], options: Partial<typeof SNIPPET_DEFAULTS> = {}): Snippet {
  const { length, before, ellipsis } = { ...SNIPPET_DEFAULTS, ...options };
  // starts[i]: UTF-16 offset in `text` of grapheme i; foldedStarts[i]: offset of its folding in `folded`.
  // points[i]: code points before grapheme i.
  const starts: number[] = [];
  const foldedStarts: number[] = [];
  const points: number[] = [];
  let folded = "";
  let pointCount = 0;
  for (const { segment, index } of graphemes.segment(text)) {
    starts.push(index);
    foldedStarts.push(folded.length);
    points.push(pointCount);
    folded += foldSearchText(segment);
    pointCount += codePointLength(segment);
  }
  starts.push(text.length);
  foldedStarts.push(folded.length);
  points.push(pointCount);
  const graphemeAt = (foldedOffset: number): number => lastAtOrBefore(foldedStarts, foldedOffset);

  // Every occurrence, as grapheme ranges [first, end).
  const found: Array<[number, number]> = [];
  for (const term of terms) {
    if (term === "") continue;
    for (let at = folded.indexOf(term); at !== -1; at = folded.indexOf(term, at + 1)) {
      found.push([graphemeAt(at), graphemeAt(at + term.length - 1) + 1]);
    }
  }
  found.sort((a, b) => a[0] - b[0] || a[1] - b[1]);

  const count = starts.length - 1;
  const codePointsOf = (from: number, to: number) => (points[to] as number) - (points[from] as number);
  let first = 0;
  let end = count;
  if (codePointsOf(0, count) > length) {
    const match = found[0]?.[0] ?? 0;
    first = match;
    // Back up to `before` code points of context, then run on up to `length` in all.
    while (first > 0 && codePointsOf(first - 1, match) <= before) first--;
    end = first;
    while (end < count && codePointsOf(first, end + 1) <= length) end++;
    // Near the end of the text: use the room that is left over on the left.
    while (first > 0 && codePointsOf(first - 1, end) <= length) first--;
    if (end === first) end = Math.min(count, first + 1);
  }
  const prefix = first > 0 ? ellipsis : "";
  const suffix = end < count ? ellipsis : "";
  const startOffset = starts[first] as number;
  const snippet = prefix + text.slice(startOffset, starts[end]) + suffix;

  const highlights: Array<[number, number]> = [];
  for (const [from, to] of found) {
    const a = Math.max(from, first);
    const b = Math.min(to, end);
    if (a >= b) continue;
    const range: [number, number] = [
      prefix.length + (starts[a] as number) - startOffset,
      prefix.length + (starts[b] as number) - startOffset,
    ];
    const last = highlights[highlights.length - 1];
    if (last && range[0] <= last[1]) last[1] = Math.max(last[1], range[1]);
    else highlights.push(range);
  }
  return { snippet, highlights };
}

/** The index of the last element of the ascending `values` that is <= `value`. */
function lastAtOrBefore(values: readonly number[], value: number): number {
  let low = 0;
  let high = values.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((values[mid] as number) <= value) low = mid;
    else high = mid - 1;
  }
  return low;
}
