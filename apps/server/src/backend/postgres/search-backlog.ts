import type { SearchQuery } from "@chatroom/protocol";
import type pg from "pg";
import type { SearchCandidate, SearchPage, SearchPosition } from "../message-search";
import { hitOf } from "../search/collector";
import { matchesSearch } from "../search/matcher";
import { compareSearchPositions, positionOf } from "../search/order";
import { type SearchRange, SqlParams, timeConditions } from "./search-sql";

/**
 * What one source of candidates read: every match it holds up to `bound` in the result order
 * (inclusive), and nothing past it is known; `bound` undefined: it read its whole range.
 */
export interface SourceRead {
  matched: SearchCandidate[];
  bound: SearchPosition | undefined;
}

interface QueuedChatRow {
  room: string;
  seq: number;
  ts: number;
  user_id: string;
  user_name: string;
  text: string;
}

/**
 * The chats of the range still in migration 4's backlog (changed, not indexed yet), as they now
 * stand, newest first: each read whole by the matcher (no index narrows them; the backlog is
 * what the indexer has not reached, a few ticks' worth). At most `max` are read; past that the
 * read is complete only up to the last one. A chat queued twice is read once; a deleted one never.
 */
export async function readQueuedChats(
  db: Pick<pg.ClientBase, "query">,
  query: SearchQuery,
  range: SearchRange,
  max: number,
): Promise<SourceRead> {
  const params = new SqlParams();
  const rooms = new Set(range.rooms);
  const where = ["d.text IS NOT NULL", ...timeConditions(params, range, "d.room")];
  const sql = `SELECT d.room, d.seq, d.ts, d.user_id, d.user_name, d.text
    FROM (SELECT DISTINCT room, seq FROM search_backlog WHERE room = ANY(${params.add(range.rooms)}::text[])) AS b
    JOIN chats AS d ON d.room = b.room AND d.seq = b.seq
    WHERE ${where.join(" AND ")}
    ORDER BY d.ts DESC, d.room COLLATE "C", d.seq DESC LIMIT ${params.add(max)}`;
  const { rows } = await db.query<QueuedChatRow>(sql, params.values);
  const matched: SearchCandidate[] = [];
  for (const { room, seq, ts, user_id: id, user_name: name, text } of rows) {
    const candidate = { room, seq, ts, from: { id, name }, text };
    if (matchesSearch(query, rooms, candidate)) matched.push(candidate);
  }
  const last = rows[rows.length - 1];
  return { matched, bound: rows.length >= max && last ? positionOf(last) : undefined };
}

/**
 * One page from several sources' reads (the index and the backlog), as if one source had read
 * them all newest first: only what every source is complete up to is known, so the page ends at
 * the earliest bound; a chat found by both (indexed, then edited and queued again) counts once.
 */
export function pageOfReads(reads: readonly SourceRead[], query: SearchQuery, limit: number): SearchPage {
  let bound: SearchPosition | undefined;
  for (const read of reads) {
    if (read.bound && (bound === undefined || compareSearchPositions(read.bound, bound) < 0)) bound = read.bound;
  }
  const byChat = new Map<string, SearchCandidate>();
  for (const read of reads) {
    for (const candidate of read.matched) {
      if (bound === undefined || compareSearchPositions(candidate, bound) <= 0) byChat.set(`${candidate.seq}:${candidate.room}`, candidate);
    }
  }
  const matched = [...byChat.values()].sort(compareSearchPositions);
  const hits = matched.slice(0, limit);
  const lastHit = hits[hits.length - 1];
  // More matches than the page: it ends at its last hit; else where the reads stop being complete.
  const next = matched.length > limit && lastHit ? positionOf(lastHit) : bound;
  return { hits: hits.map((candidate) => hitOf(candidate, query)), ...(next ? { next } : {}) };
}
