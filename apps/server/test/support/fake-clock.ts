import type { Timers } from "../../src/chat/ports";

interface Pending {
  due: number;
  /** Timers due at the same moment fire in the order they were set. */
  order: number;
  callback: () => void;
}

/**
 * Timers that move only when the test says so, for the chat parts tested on their own: `advance`
 * fires every timer that falls due on the way, each at its own deadline, synchronously.
 */
export class FakeClock implements Timers {
  protected current: number;
  private order = 0;
  protected readonly pending = new Map<number, Pending>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = ++this.order;
    this.pending.set(handle, { due: this.current + Math.max(0, ms), order: handle, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === "number") this.pending.delete(handle);
  }

  /** Timers still waiting. */
  get timerCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, each at its deadline. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      this.current = Math.max(this.current, next.due);
      this.fire(next.order);
    }
    this.current = end;
  }

  protected nextDue(end: number): Pending | undefined {
    let first: Pending | undefined;
    for (const timer of this.pending.values()) {
      if (timer.due > end) continue;
      if (!first || timer.due < first.due || (timer.due === first.due && timer.order < first.order)) first = timer;
    }
    return first;
  }

  protected fire(handle: number): void {
    const timer = this.pending.get(handle);
    if (!timer) return;
    this.pending.delete(handle);
    timer.callback();
  }
}

/**
 * The clock of a whole server, for `buildApp(config, { timers })`: time stands still until the
 * test calls `advance`, so grace periods, typing windows and rate limits are stepped through
 * instead of waited for. Unlike the parts' clock, a timer that is already due (a delay of 0)
 * runs on the next turn of the event loop, as a real one would, so the parts of the server that
 * do not care about time keep working without the test's help; and `advance` lets the event
 * loop turn after each timer, so the frames it sends are written before the next one runs.
 */
export class ServerClock extends FakeClock {
  override setTimeout(callback: () => void, ms: number): unknown {
    const handle = super.setTimeout(callback, ms);
    if (ms <= 0) setImmediate(() => this.fire(handle as number));
    return handle;
  }

  override async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      this.current = Math.max(this.current, next.due);
      this.fire(next.order);
      await turn();
    }
    this.current = end;
    await turn();
  }
}

/** One turn of the event loop: pending I/O callbacks and promise jobs run before it resolves. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
