import type pg from "pg";
import { BackendClosedError } from "../backend-closed-error";
import type { StoredEvent } from "../message-store";
import { loadRows, lockRooms, RowRequest, writeTick } from "./tick-sql";
import { NeedRows, PgTickState, type TickWrites } from "./tick-state";

/** One step of a tick: synchronous over the tick's state, run again after a `NeedRows`. */
export interface TickJob<T> {
  room: string;
  /** What the tick loads for this step before running it: the common needs, in one round trip for the whole tick. */
  prefetch(request: RowRequest): void;
  run(state: PgTickState): T;
  /** The events the step stored, once committed: what the other nodes are told. */
  stored?(result: T): readonly StoredEvent[];
}

interface Pending {
  job: TickJob<unknown>;
  resolve: (value: never) => void;
  reject: (error: unknown) => void;
}

export interface TickCommitOptions {
  pool: pg.Pool;
  /** Called once a tick has committed, before its steps resolve, with the events it stored in seq order per room (for the other nodes). */
  afterCommit?: (events: readonly StoredEvent[]) => void;
  /** Runs of one tick before its steps fail: a lost send-key race or a deadlock makes it run again. */
  maxAttempts?: number;
}

/** SQLSTATEs after which the whole tick runs again, from the start: deadlock_detected, serialization_failure. */
const RETRY_STATES = new Set(["40P01", "40001"]);

class SendKeyTaken extends Error {}

/**
 * Group commit on PostgreSQL: the steps submitted in one event-loop tick share one transaction
 * on one connection, and each resolves only after COMMIT (`synchronous_commit` on: acked means
 * durable). The transaction locks every room's counter row first (tick-sql.ts `lockRooms`), loads
 * what the steps read in one query, runs the steps in order in memory (a step that reads
 * something not loaded is run again after one more query), and writes everything in one
 * statement. A tick whose send key was taken meanwhile, or that deadlocked with another node's,
 * runs again from the start; a tick that failed otherwise runs again one step per transaction, so
 * one bad step fails alone. Each step's own refusals are results, not errors.
 */
export class TickCommit {
  private queue: Pending[] = [];
  private running = false;
  private closed = false;
  private scheduled = false;
  private idle: Promise<void> = Promise.resolve();
  private readonly maxAttempts: number;

  constructor(private readonly options: TickCommitOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  submit<T>(job: TickJob<T>): Promise<T> {
    if (this.closed) return Promise.reject(new BackendClosedError());
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ job: job as TickJob<unknown>, resolve: resolve as (value: never) => void, reject });
      this.schedule();
    });
  }

  /** Waits for what is queued and running, then refuses new steps. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.queue.length > 0 || this.running || this.scheduled) {
      // A drain may be scheduled but not started: let the event loop start it.
      await new Promise<void>((resolve) => setImmediate(resolve));
      await this.idle;
    }
  }

  private schedule(): void {
    if (this.scheduled || this.running) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.idle = this.drain();
    });
  }

  /** One tick at a time: what queues while a tick runs is the next tick. */
  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue;
        this.queue = [];
        await this.runTick(batch);
      }
    } finally {
      this.running = false;
    }
  }

  private async runTick(batch: Pending[]): Promise<void> {
    let client: pg.PoolClient;
    try {
      client = await this.options.pool.connect();
    } catch (error) {
      for (const pending of batch) pending.reject(error);
      return;
    }
    let broken = false;
    let released = false;
    try {
      for (let attempt = 1; ; attempt++) {
        try {
          const { results } = await this.attempt(client, batch);
          this.options.afterCommit?.(batch.flatMap((pending, index) => pending.job.stored?.(results[index]) ?? []));
          for (const [index, pending] of batch.entries()) pending.resolve(results[index] as never);
          return;
        } catch (error) {
          await client.query("ROLLBACK").catch(() => {
            broken = true;
          });
          const retry = error instanceof SendKeyTaken || RETRY_STATES.has((error as { code?: string }).code ?? "");
          if (!broken && !retry && batch.length > 1) {
            // One step's write may be what failed (a text PostgreSQL refuses): each step runs
            // alone, so it fails by itself and the others of the tick still commit.
            client.release();
            released = true;
            for (const pending of batch) await this.runTick([pending]);
            return;
          }
          if (broken || !retry || attempt >= this.maxAttempts) {
            for (const pending of batch) pending.reject(error instanceof SendKeyTaken ? new Error("a send key stayed contended") : error);
            return;
          }
        }
      }
    } finally {
      if (!released) client.release(broken ? true : undefined);
    }
  }

  private async attempt(client: pg.PoolClient, batch: Pending[]): Promise<{ results: unknown[]; writes: TickWrites }> {
    await client.query("BEGIN");
    const rooms = [...new Set(batch.map((pending) => pending.job.room))];
    const state = new PgTickState(await lockRooms(client, rooms));
    const common = new RowRequest();
    for (const pending of batch) pending.job.prefetch(common);
    await loadRows(client, state, common);
    const results: unknown[] = [];
    for (const pending of batch) {
      for (;;) {
        try {
          results.push(pending.job.run(state));
          break;
        } catch (error) {
          if (!(error instanceof NeedRows)) throw error;
          await loadRows(client, state, new RowRequest().add(error.need));
        }
      }
    }
    const writes = state.writes();
    if (!(await writeTick(client, writes))) throw new SendKeyTaken();
    await client.query("COMMIT");
    return { results, writes };
  }
}
