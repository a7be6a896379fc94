import { useState } from "react";

/**
 * Where the list's indexes start. react-virtuoso keeps the reader in place when rows are prepended
 * only if `firstItemIndex` goes down by the number prepended in the same render; it must stay
 * positive, so it starts high.
 */
export const FIRST_INDEX_BASE = 1_000_000_000;

/** A row that stays put across a prepend: a message or an event, never a day or "new messages" line (they move up with older rows). */
const isAnchor = (row: { kind: string }) => row.kind === "chat" || row.kind === "event";

/**
 * How many rows came in above the rows that were there: how far the first anchor row of
 * `previous` moved down in `next`. 0 when nothing moved, when only rows below changed, or when the
 * rows were replaced (the anchor is gone); negative when rows left from the top.
 */
export function prependedCount(previous: readonly { key: string; kind: string }[], next: readonly { key: string; kind: string }[]): number {
  if (previous === next) return 0;
  const anchorAt = previous.findIndex(isAnchor);
  if (anchorAt < 0) return 0;
  const key = (previous[anchorAt] as { key: string }).key;
  // Searched from the top: the anchor is as far down as the number of rows prepended.
  const at = next.findIndex((row) => row.key === key);
  return at < 0 ? 0 : at - anchorAt;
}

/**
 * The `firstItemIndex` for `rows`: lowered by every prepend. Derived during render (React's
 * pattern for state from props), so the render that brings older rows in carries the new index.
 */
export function useFirstItemIndex(rows: readonly { key: string; kind: string }[]): number {
  const [state, setState] = useState({ rows, first: FIRST_INDEX_BASE });
  if (state.rows === rows) return state.first;
  const first = state.first - prependedCount(state.rows, rows);
  setState({ rows, first });
  return first;
}
