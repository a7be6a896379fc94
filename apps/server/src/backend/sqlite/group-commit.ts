import type Database from "better-sqlite3";
import { BackendClosedError } from "../backend-closed-error";

interface PendingWrite {
  write: () => unknown;
  resolve: (result: never) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit: every write submitted in one event-loop tick (appends and session saves alike)
 * shares one transaction, and each resolves only after that transaction commits. A connection
 * storm or a busy room would otherwise pay one fsync per write.
 */
export class GroupCommit {
  private queue: PendingWrite[] = [];
  private flushScheduled = false;
  private closed = false;
  private readonly rollbackListeners: Array<() => void> = [];
  private readonly commit: (writes: PendingWrite[]) => unknown[];

  constructor(db: Database.Database) {
    this.commit = db.transaction((writes: PendingWrite[]) => writes.map((pending) => pending.write()));
  }

  /** Runs `write` inside the next transaction; resolves with its result once committed. */
  submit<T>(write: () => T): Promise<T> {
    if (this.closed) return Promise.reject(new BackendClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ write, resolve: resolve as (result: never) => void, reject });
      this.scheduleFlush();
    });
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
    for (let i = 0; i < batch.length; i++) batch[i]?.resolve(results[i] as never);
  }

  /** Commits what is pending; later writes are refused. */
  close(): void {
    this.flush();
    this.closed = true;
  }
}
