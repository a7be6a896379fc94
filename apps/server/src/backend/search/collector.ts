import type { SearchHit, SearchQuery } from "@chatroom/protocol";
import { copyUser } from "../chat-state";
import type { SearchCandidate, SearchPage, SearchPosition, SearchRequest } from "../message-search";
import { matchesSearch } from "./matcher";
import { compareSearchPositions, isAfter, positionOf, startOfTimestamp } from "./order";
import { buildSnippet } from "./snippet";

/**
 * Builds one page from candidates that arrive with `ts` descending (any order within one `ts`):
 * SQLite's index order. Everything of one `ts` is read before the page is cut, then sorted into
 * the one result order, so the page is exactly what a full sort would give. `scanMax` bounds the
 * candidates one page examines: past it, the page ends at the start of the current timestamp
 * (never inside one, so the next page misses nothing and repeats nothing).
 */
export class NewestFirstCollector {
  private readonly rooms: ReadonlySet<string>;
  private readonly matched: SearchCandidate[] = [];
  private examined = 0;
  private firstTs: number | undefined;
  private stoppedAt: number | undefined;

  constructor(
    private readonly request: SearchRequest,
    private readonly scanMax: number,
  ) {
    this.rooms = new Set(request.rooms);
  }

  /** Takes the next candidate; false when the page is settled and reading can stop. */
  offer(candidate: SearchCandidate): boolean {
    if (!isAfter(candidate, this.request.after)) return true;
    if (!this.examine(candidate.ts)) return false;
    if (matchesSearch(this.request.query, this.rooms, candidate)) this.matched.push(candidate);
    return true;
  }

  /**
   * Counts a row the store read but filtered out itself (another room, another author): it costs
   * the same reading, so it spends the budget too, and it moves the page on past its timestamp.
   */
  skip(ts: number): boolean {
    return this.examine(ts);
  }

  /** False when the page is settled before a row of timestamp `ts`: full, or out of budget. */
  private examine(ts: number): boolean {
    this.firstTs ??= ts;
    const last = this.matched[this.matched.length - 1];
    // A full page (one extra says whether more exist) whose last timestamp is complete.
    if (last && this.matched.length > this.request.limit && ts < last.ts) return false;
    if (this.examined >= this.scanMax && ts < this.firstTs) {
      this.stoppedAt = ts;
      return false;
    }
    this.examined++;
    return true;
  }

  page(): SearchPage {
    const { limit, query } = this.request;
    let matched = this.matched;
    let resume: SearchPosition | undefined;
    if (this.stoppedAt !== undefined) {
      // Stopped by the budget inside timestamp `stoppedAt`: what was seen of it is read again next time.
      const stoppedAt = this.stoppedAt;
      matched = matched.filter((candidate) => candidate.ts > stoppedAt);
      resume = startOfTimestamp(stoppedAt);
    }
    matched.sort(compareSearchPositions);
    const hits = matched.slice(0, limit);
    const lastHit = hits[hits.length - 1];
    const next = matched.length > limit && lastHit ? positionOf(lastHit) : resume;
    return { hits: hits.map((candidate) => hitOf(candidate, query)), ...(next ? { next } : {}) };
  }
}

/** The wire form of a matching chat: where it is, who wrote it, and its snippet. */
export function hitOf(candidate: SearchCandidate, query: SearchQuery): SearchHit {
  const { snippet, highlights } = buildSnippet(candidate.text, query.terms);
  return { room: candidate.room, seq: candidate.seq, from: copyUser(candidate.from), ts: candidate.ts, snippet, highlights };
}
