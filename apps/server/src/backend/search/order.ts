import type { SearchPosition } from "../message-search";

/** The one result order: newest first (`ts` descending), then `room` ascending, then `seq` descending. */
export function compareSearchPositions(a: SearchPosition, b: SearchPosition): number {
  if (a.ts !== b.ts) return b.ts - a.ts;
  if (a.room !== b.room) return a.room < b.room ? -1 : 1;
  return b.seq - a.seq;
}

/** True when `position` comes strictly after `cursor` in the result order. */
export function isAfter(position: SearchPosition, cursor: SearchPosition | undefined): boolean {
  return cursor === undefined || compareSearchPositions(position, cursor) > 0;
}

/**
 * A position just before every chat of timestamp `ts`: a page that stops scanning part way
 * through a timestamp resumes at its start (rooms are never empty strings, seqs never this large).
 */
export function startOfTimestamp(ts: number): SearchPosition {
  return { ts, room: "", seq: Number.MAX_SAFE_INTEGER };
}

export function positionOf(position: SearchPosition): SearchPosition {
  return { ts: position.ts, room: position.room, seq: position.seq };
}
