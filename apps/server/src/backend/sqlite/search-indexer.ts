import type Database from "better-sqlite3";
import { SEARCH_DEFAULTS } from "../message-search";

export interface SearchIndexerOptions {
  db: Database.Database;
  /** True while writes wait for the group commit: the indexer then steps aside for them. */
  writesWaiting: () => boolean;
  /** Chats one slice indexes, in one transaction. */
  sliceSize?: number;
  /** Busy ticks the indexer yields before it takes a slice anyway, so a steady load cannot starve it. */
  maxYields?: number;
  /**
   * A slice that failed (disk full, a lock held by another process): reported here, and the
   * backlog stays as it was (searches read it) until the next commit wakes the indexer again.
   */
  onError?: (error: unknown, context: string) => void;
}

/**
 * Moves migration 7's backlog into the FTS tables, oldest first, a slice per transaction, while
 * the store is idle. Appends stay cheap (a docid queued), searches read the backlog beside the
 * index, and the indexing, about four times an append's CPU, waits for a moment with no write
 * waiting: a burst of chats is acked at the store's full speed and indexed right after it.
 */
export class SqliteSearchIndexer {
  private readonly db: Database.Database;
  private readonly writesWaiting: () => boolean;
  private readonly sliceSize: number;
  private readonly maxYields: number;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly slice: () => number;
  private scheduled = false;
  private yields = 0;
  private stopped = false;

  constructor(options: SearchIndexerOptions) {
    this.db = options.db;
    this.writesWaiting = options.writesWaiting;
    this.sliceSize = options.sliceSize ?? SEARCH_DEFAULTS.indexSlice;
    this.maxYields = options.maxYields ?? SEARCH_DEFAULTS.indexMaxYields;
    this.onError = options.onError ?? (() => {});
    const batch = "SELECT docid FROM search_backlog ORDER BY docid LIMIT @limit";
    const texts = `SELECT d.docid AS docid, c.text AS text FROM (${batch}) AS b
      JOIN search_docs AS d ON d.docid = b.docid JOIN chats AS c ON c.room = d.room AND c.seq = d.seq`;
    const trigram = this.db.prepare(`INSERT INTO search_trigram (rowid, body) SELECT docid, chatroom_search_fold(text) FROM (${texts})`);
    const cjk = this.db.prepare(`INSERT INTO search_cjk (rowid, body)
      SELECT docid, body FROM (SELECT docid, chatroom_search_cjk(text) AS body FROM (${texts})) WHERE body IS NOT NULL`);
    const done = this.db.prepare(`DELETE FROM search_backlog WHERE docid IN (${batch})`);
    // Both inserts read the same first `limit` docids: nothing else writes in between (one thread,
    // one transaction). A queued chat always has its text: a delete drops it from the backlog.
    this.slice = this.db.transaction(() => {
      const limit = { limit: this.sliceSize };
      trigram.run(limit);
      cjk.run(limit);
      return done.run(limit).changes;
    });
  }

  /** Asks for a slice soon: after a commit that may have queued chats, and at open. */
  wake(): void {
    if (this.scheduled || this.stopped) return;
    this.scheduled = true;
    setImmediate(() => this.step());
  }

  /** Indexes one slice; the count of chats it indexed (0: the backlog is empty). */
  indexSlice(): number {
    return this.slice();
  }

  /** Indexes the whole backlog now: for a bulk load that is measured as built (the bench) and for tests. */
  catchUp(): number {
    let total = 0;
    for (let indexed = this.indexSlice(); indexed > 0; indexed = this.indexSlice()) total += indexed;
    return total;
  }

  /** No more slices: the store is closing. */
  stop(): void {
    this.stopped = true;
  }

  private step(): void {
    this.scheduled = false;
    if (this.stopped) return;
    if (this.writesWaiting() && this.yields < this.maxYields) {
      // The commit of those writes wakes the indexer again.
      this.yields++;
      return;
    }
    this.yields = 0;
    let indexed: number;
    try {
      indexed = this.indexSlice();
    } catch (error) {
      // Never thrown from a timer (that would end the process); the slice rolled back whole.
      this.onError(error, "search indexer: a slice failed; the backlog is kept and retried after the next commit");
      return;
    }
    if (indexed === this.sliceSize) this.wake();
  }
}
