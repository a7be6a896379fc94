import type { SearchHit, SearchQuery, User } from "@chatroom/protocol";

/** Where a hit stands in the one result order: `ts` descending, then `room` ascending, then `seq` descending. */
export interface SearchPosition {
  ts: number;
  room: string;
  seq: number;
}

/** A chat as it stands, as a search reads it: only chats with text (deleted ones are never candidates). */
export interface SearchCandidate extends SearchPosition {
  from: User;
  text: string;
}

export interface SearchRequest {
  query: SearchQuery;
  /** The rooms the user may read, already checked by the caller: nothing outside them is ever returned. */
  rooms: readonly string[];
  limit: number;
  /** Only hits after this position (the `next` of the previous page). */
  after?: SearchPosition;
}

export interface SearchPage {
  /** Newest first, at most `limit`. */
  hits: SearchHit[];
  /**
   * Where the next page starts; absent when there is nothing more. A store that stops scanning
   * before it fills a page (SQLite's scan budget) returns fewer hits, even none, and a `next`.
   */
  next?: SearchPosition;
}

/**
 * Full-text search over chats as they stand. Every implementation returns the same hits for the
 * same data: candidates (from an index or a scan) always pass the one matcher of
 * search/matcher.ts, are ordered by search/order.ts, and get their snippet from
 * search/snippet.ts. One contract suite runs against every backend.
 */
export interface MessageSearch {
  search(request: SearchRequest): Promise<SearchPage>;
}

/** Every default of the search stores, in one place. */
export const SEARCH_DEFAULTS = {
  /**
   * SQLite: candidates one request may examine before it answers with what it has and a `next`,
   * so a query no index serves (a rare one-letter word) cannot hold the event loop for long.
   */
  scanMax: 10_000,
  /**
   * SQLite: rooms holding at most this many events in all are read whole from their own rows, one
   * full page per request, rather than through an index walk that would spend its budget on other
   * rooms' matches first. A whole read folds every text it meets, so a term no chat holds costs
   * the whole bound: with a CI run beside it, 39 ms p50 over 2,000 events, 125 ms over 10,000.
   */
  wholeReadMax: 2_000,
  /** SQLite: chats the search indexer moves from its backlog into the FTS tables per transaction (~10 ms). */
  indexSlice: 100,
  /** SQLite: busy ticks the indexer steps aside for before it takes a slice anyway. */
  indexMaxYields: 64,
  /**
   * PostgreSQL: the first, small window of newest chats a request reads (a common word fills its
   * page there), and the most candidates a GIN index may propose for the request to read and sort
   * them all (a rare word, anywhere in the history). Each costs at most this many row reads; the
   * wider window of `scanMax` comes only when both fall short.
   */
  pgQuickMax: 1_000,
  /**
   * PostgreSQL: backlog rows (queued chat changes) the search indexer moves into `search_docs` per
   * transaction. Its own transaction on its own connection, outside any tick's lock window.
   */
  pgIndexSlice: 1_000,
  /** PostgreSQL: how long the indexer waits after a commit before it starts, so a run of ticks is indexed in full slices. */
  pgIndexDelayMs: 20,
  /** PostgreSQL: how long the indexer waits after a failed slice (reported through onError) before it tries again. */
  pgIndexRetryMs: 1_000,
  /**
   * PostgreSQL: queued chats (not indexed yet) one search request reads beside the index. Past it
   * the page ends where the read stopped, with a `next`: a backlog left by a long outage of the
   * indexer costs pages, never an unbounded read.
   */
  pgBacklogReadMax: 2_000,
  /** PostgreSQL: chats `rebuildSearchDocs` indexes per statement (the migration command's reindex). */
  rebuildBatch: 1_000,
  /** Memory: chats read per page while scanning a room newest-first. */
  scanPageSize: 500,
} as const;
