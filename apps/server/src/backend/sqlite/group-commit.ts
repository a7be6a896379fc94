import type Database from "better-sqlite3";
import { BackendClosedError } from "../backend-closed-error";

interface PendingWrite {
  write: () => unknown;
  /** A failure of this write fails it alone, not the transaction (see `submitIsolated`). */
  isolated: boolean;
  resolve: (result: never) => void;
  reject: (error: unknown) => void;
}

type IsolatedOutcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/**
 * Group commit: every write submitted in one event-loop tick (appends, session saves, memberships
 * alike) shares one transaction, and each resolves only after that transaction commits. A
 * connection storm or a busy room would otherwise pay one fsync per write.
 */
export class GroupCommit {
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly rollbackListeners: Array<() => void> = [];
  private readonly commitListeners: Array<() => void> = [];
  private readonly commit: (writes: PendingWrite[]) => unknown[];

  constructor(private readonly db: Database.Database) {
    this.commit = db.transaction((writes: PendingWrite[]) =>
      writes.map((pending) => (pending.isolated ? this.runIsolated(pending.write) : pending.write())),
    );
  }

  /**
   * Runs `write` inside the next transaction; resolves with its result once committed. A throw
   * rolls back the whole transaction, every write of the tick with it: for appends, whose seq
   * cache must follow the file.
   */
  submit<T>(write: () => T): Promise<T> {
    return this.enqueue(write, false);
  }

  /**
   * Like `submit`, but a throw fails this write alone and the rest of the tick commits: for
   * writes that must never cost a tick of chats their commit (memberships, read markers,
   * sessions). SQLite undoes just the failed statement and keeps the transaction open; an error
   * that ends the transaction itself (disk full, I/O) still fails every write of the tick.
   */
  submitIsolated<T>(write: () => T): Promise<T> {
    return this.enqueue(write, true);
  }

  private enqueue<T>(write: () => T, isolated: boolean): Promise<T> {
    if (this.closed) return Promise.reject(new BackendClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, isolated, resolve: resolve as (result: never) => void, reject });
      this.scheduleFlush();
    });
  }

  private runIsolated(write: () => unknown): IsolatedOutcome {
    try {
      return { ok: true, value: write() };
    } catch (error) {
      if (!this.db.inTransaction) throw error;
      return { ok: false, error };
    }
  }

  /** True while writes wait for the next transaction. */
  hasQueued(): boolean {
    return this.queue.length > 0;
  }

  /** Called after each transaction commits (the search indexer's cue that the store may be idle). */
  onCommit(listener: () => void): void {
    this.commitListeners.push(listener);
  }

  /** Called after a transaction rolled back, so caches of what was written can be dropped. */
  onRollback(listener: () => void): void {
    this.rollbackListeners.push(listener);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Commits everything queued so far in one transaction. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    let results: unknown[];
    try {
      results = this.commit(batch);
    } catch (error) {
      for (const listener of this.rollbackListeners) listener();
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (let i = 0; i < batch.length; i++) {
      const pending = batch[i] as PendingWrite;
      if (!pending.isolated) {
        pending.resolve(results[i] as never);
        continue;
      }
      const outcome = results[i] as IsolatedOutcome;
      if (outcome.ok) pending.resolve(outcome.value as never);
      else pending.reject(outcome.error);
    }
    for (const listener of this.commitListeners) listener();
  }

  /** Commits what is pending; later writes are refused. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
