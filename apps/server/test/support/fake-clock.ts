import type { BuildOverrides } from "../../src/app";

type Timers = NonNullable<BuildOverrides["timers"]>;

interface Pending {
  due: number;
  callback: () => void;
}

/**
 * The server's clock, for `buildApp(config, { timers })`: time stands still until the test
 * calls `advance`, so grace periods, typing windows and rate limits are stepped through instead
 * of waited for. A timer that is already due (a delay of 0, or one set for a moment the clock
 * has passed) runs on the next turn of the event loop, as a real one would, so the parts of
 * the server that do not care about time keep working without the test's help.
 */
export class FakeClock implements Timers {
  private current: number;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.pending.set(id, { due: this.current + Math.max(0, ms), callback });
    if (ms <= 0) setImmediate(() => this.fire(id));
    return id;
  }

  clearTimeout(handle: unknown): void {
    if (typeof handle === "number") this.pending.delete(handle);
  }

  /**
   * Moves time forward by `ms`, running every timer that falls due on the way at its own
   * moment, in order, and letting the event loop turn after each (so the frames it sends are
   * written before the next one runs).
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      const next = this.nextDue(target);
      if (next === undefined) break;
      this.current = Math.max(this.current, next.due);
      this.fire(next.id);
      await turn();
    }
    this.current = target;
    await turn();
  }

  private nextDue(limit: number): { id: number; due: number } | undefined {
    let next: { id: number; due: number } | undefined;
    for (const [id, { due }] of this.pending) {
      if (due <= limit && (next === undefined || due < next.due)) next = { id, due };
    }
    return next;
  }

  private fire(id: number): void {
    const timer = this.pending.get(id);
    if (!timer) return;
    this.pending.delete(id);
    timer.callback();
  }
}

/** One turn of the event loop: pending I/O callbacks and promise jobs run before it resolves. */
function turn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
