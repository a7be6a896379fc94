import type { OutboundBatch, RoomSeat, Timers } from "../../../src/chat/ports";

interface Pending {
  at: number;
  order: number;
  callback: () => void;
}

/** Timers that move only when the test says so; due timers fire in deadline order, then in the order set. */
export class FakeClock implements Timers {
  private time: number;
  private order = 0;
  private readonly pending = new Map<number, Pending>();

  constructor(start = 1_000_000) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = ++this.order;
    this.pending.set(handle, { at: this.time + Math.max(0, ms), order: handle, callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Timers still waiting. */
  get timerCount(): number {
    return this.pending.size;
  }

  /** Moves time forward by `ms`, firing every timer that falls due on the way, each at its deadline. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (let next = this.nextDue(end); next; next = this.nextDue(end)) {
      this.pending.delete(next.order);
      this.time = next.at;
      next.callback();
    }
    this.time = end;
  }

  private nextDue(end: number): Pending | undefined {
    let first: Pending | undefined;
    for (const timer of this.pending.values()) {
      if (timer.at > end) continue;
      if (!first || timer.at < first.at || (timer.at === first.at && timer.order < first.order)) first = timer;
    }
    return first;
  }
}

/** A seat that records what reaches it, decoded, in order. */
export class RecordingSeat implements RoomSeat {
  readonly received: unknown[] = [];
  readonly batches: OutboundBatch[] = [];
  closedWith: { code: number; reason: string } | null = null;

  constructor(readonly userId: string) {}

  deliver(data: string | Buffer): void {
    this.received.push(JSON.parse(data.toString()));
  }

  deliverBatch(batch: OutboundBatch): void {
    this.batches.push(batch);
    for (const frame of batch.frames) this.received.push(JSON.parse(frame.toString()));
  }

  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
  }

  /** Frames of one type, for assertions. */
  ofType(type: string): Array<Record<string, unknown>> {
    return this.received.filter((frame): frame is Record<string, unknown> => (frame as { type?: string }).type === type);
  }
}

/** Lets queued microtasks (the broadcaster's per-tick flush, a gap fill's await) run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}
