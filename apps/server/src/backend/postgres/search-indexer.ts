import type pg from "pg";
import { SEARCH_DEFAULTS } from "../message-search";
import { inTransaction } from "./in-transaction";
import { type CurrentChat, indexCurrentChats } from "./search-docs";

export interface PgSearchIndexerOptions {
  pool: pg.Pool;
  /** Backlog rows one slice takes, in one transaction. */
  sliceSize?: number;
  /** How long `wake` waits before the first slice, so the commits of a busy moment share slices. */
  delayMs?: number;
  /** How long after a failed slice the indexer tries again by itself. */
  retryMs?: number;
  /**
   * A slice that failed (PostgreSQL away, a statement refused): reported here, never thrown from
   * a timer. The slice rolled back, so its rows stay queued (searches read them) for the retry.
   */
  onError?: (error: unknown, context: string) => void;
  /** Tests: holds each slice between its read of the chats and its write of the index (a race made to happen). */
  afterRead?: () => Promise<void>;
}

/**
 * Advisory-lock namespace of the indexer's per-chat locks ('srch' in ASCII), apart from
 * migrate.ts's single-key lock: the two-key form never meets a one-key lock.
 */
const CHAT_LOCK_SPACE = 0x73726368;

/** How many advisory locks the chats are spread over (a power of two). */
const CHAT_LOCK_BUCKETS = 64;

/** Takes the oldest queued rows no other indexer holds, and removes them (they roll back with a failed slice). */
const TAKE = `DELETE FROM search_backlog WHERE id IN (
    SELECT id FROM search_backlog ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED
  ) RETURNING room, seq`;

/**
 * Two indexers that took rows of one chat (two changes of it, two nodes) would each write what
 * they read, and the one that read earlier might write last. So each holds the chat's lock from
 * before it reads until its COMMIT: the later one reads after the earlier one committed. A lock
 * per bucket of chats, not per chat: advisory locks take slots of PostgreSQL's shared lock table
 * (`max_locks_per_transaction` × connections, 6,400 by default), and a slice holds at most
 * CHAT_LOCK_BUCKETS of them whatever its size. Two nodes' slices that share a bucket write one
 * after the other. Taken in one order (the bucket's), so two slices never deadlock.
 */
const LOCK_CHATS = `SELECT count(pg_advisory_xact_lock(${CHAT_LOCK_SPACE}, k.bucket)) AS locked FROM (
    SELECT DISTINCT hashtext(room || ':' || seq) & ${CHAT_LOCK_BUCKETS - 1} AS bucket
    FROM unnest($1::text[], $2::bigint[]) AS t(room, seq) ORDER BY bucket
  ) AS k`;

/** The chats as they stand, read by a statement after the locks (READ COMMITTED: a snapshot of its own). */
const READ_CHATS = `SELECT k.room, k.seq, c.ts, c.user_name, c.text
  FROM unnest($1::text[], $2::bigint[]) AS k(room, seq) LEFT JOIN chats AS c ON c.room = k.room AND c.seq = k.seq`;

/**
 * Moves migration 4's backlog into `search_docs`, oldest first, a slice per transaction on a
 * connection of its own, never inside a tick: the ticks only queue the chats they changed, and
 * hold their rooms' locks for that cheap insert alone. Any node may drain any chat's rows: slices
 * skip rows another node's slice holds (`SKIP LOCKED`), and each reads the chats only after it
 * removed their rows, so a change committed after that read has a row of its own, taken by a later
 * slice. The indexer takes no room's counter row and never waits for a tick.
 *
 * Woken after each commit (and at open, for a backlog a crash or `migrate-store` left), it waits
 * `delayMs`, then takes slices until one comes back short, yielding to the event loop between
 * them so the node's ticks and requests go first.
 */
export class PgSearchIndexer {
  private readonly pool: pg.Pool;
  private readonly sliceSize: number;
  private readonly delayMs: number;
  private readonly retryMs: number;
  private readonly onError: (error: unknown, context: string) => void;
  private readonly afterRead: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private run: Promise<void> | undefined;
  /** Woken while a run was under way: run again after it, the commit may have queued more. */
  private again = false;
  private stopped = false;

  constructor(options: PgSearchIndexerOptions) {
    this.pool = options.pool;
    this.sliceSize = options.sliceSize ?? SEARCH_DEFAULTS.pgIndexSlice;
    this.delayMs = options.delayMs ?? SEARCH_DEFAULTS.pgIndexDelayMs;
    this.retryMs = options.retryMs ?? SEARCH_DEFAULTS.pgIndexRetryMs;
    this.onError = options.onError ?? (() => {});
    this.afterRead = options.afterRead;
  }

  /** Asks for a run soon: after a commit that queued chats, and at open. */
  wake(): void {
    this.schedule(this.delayMs);
  }

  /** Indexes one slice now; the count of backlog rows it took (0: nothing this node could take). */
  async indexSlice(): Promise<number> {
    // The index is derived and its rows leave the backlog in the same transaction: a commit lost
    // to a crash loses both, and the chats are indexed again. So no fsync wait for it.
    return inTransaction(
      this.pool,
      async (client) => {
        const taken = await client.query<{ room: string; seq: number }>(TAKE, [this.sliceSize]);
        const chats = uniqueChats(taken.rows);
        if (chats.length > 0) {
          const rooms = chats.map((chat) => chat.room);
          const seqs = chats.map((chat) => chat.seq);
          await client.query(LOCK_CHATS, [rooms, seqs]);
          const current = await client.query<CurrentChat>(READ_CHATS, [rooms, seqs]);
          await this.afterRead?.();
          await indexCurrentChats(client, current.rows);
        }
        return taken.rows.length;
      },
      "BEGIN; SET LOCAL synchronous_commit TO off",
    );
  }

  /** Indexes the whole backlog now (what this node can take): for tests that pin what is indexed. */
  async catchUp(): Promise<number> {
    let total = 0;
    for (let taken = await this.indexSlice(); taken > 0; taken = await this.indexSlice()) total += taken;
    return total;
  }

  /** No more slices; resolves once the slice under way (if any) has committed or rolled back. */
  async close(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.run;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.run) {
      this.again = true;
      return;
    }
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.run = this.drain().finally(() => {
        this.run = undefined;
        if (this.again) {
          this.again = false;
          this.schedule(this.delayMs);
        }
      });
    }, delayMs);
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      let taken: number;
      try {
        taken = await this.indexSlice();
      } catch (error) {
        this.onError(error, "search indexer: a slice failed; its chats stay queued (searches still find them) and it is retried");
        this.again = false;
        this.retryLater();
        return;
      }
      if (taken < this.sliceSize) return;
      // The node's ticks and requests first.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }

  private retryLater(): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    // Fires after this run has ended, so `schedule` starts a new one; a wake meanwhile waits for it.
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.schedule(0);
    }, this.retryMs);
  }
}

/** Each chat once: a slice may hold several changes of one chat (the chat is read as it now stands). */
function uniqueChats(rows: ReadonlyArray<{ room: string; seq: number }>): Array<{ room: string; seq: number }> {
  const byKey = new Map<string, { room: string; seq: number }>();
  for (const row of rows) byKey.set(`${row.seq}:${row.room}`, { room: row.room, seq: Number(row.seq) });
  return [...byKey.values()];
}
