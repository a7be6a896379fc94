/** Reads stored events `after < seq <= upTo`, oldest first, to fill a hole in the live stream. */
export type GapFiller<E> = (after: number, upTo: number) => Promise<E[]>;

export interface OrderedStreamOptions<E> {
  /** Everything up to here was already delivered (or is in the `joined` of everyone here). */
  deliveredSeq: number;
  fillGap: GapFiller<E>;
  /** Called once per event, in `seq` order with no gaps. */
  emit(event: E): void;
  onFillError(error: unknown): void;
}

/**
 * A room's events in `seq` order, exactly once each, whatever order they arrive in: from this
 * node's appends, from other nodes over the bus, or read back from the store to fill a hole.
 */
export class OrderedStream<E extends { seq: number }> {
  private delivered: number;
  /** Events that arrived ahead of a hole, by seq. */
  private readonly ahead = new Map<number, E>();
  /** The highest seq known to be stored (from a resync); the stream fills up to it. */
  private knownLatest = 0;
  private filling = false;

  constructor(private readonly options: OrderedStreamOptions<E>) {
    this.delivered = options.deliveredSeq;
  }

  /** Highest `seq` emitted; every lower one has been emitted too. */
  get deliveredSeq(): number {
    return this.delivered;
  }

  /** An event from anywhere: emitted now if it is next, held if a hole precedes it, dropped if seen. */
  accept(event: E): void {
    if (event.seq <= this.delivered) return;
    if (event.seq > this.delivered + 1) {
      this.ahead.set(event.seq, event);
      void this.fillHoles();
      return;
    }
    this.emit(event);
    this.drainAhead();
  }

  /** Events up to `latestSeq` are stored (the bus may have missed some): fill up to there. */
  catchUp(latestSeq: number): void {
    if (latestSeq <= this.delivered) return;
    this.knownLatest = Math.max(this.knownLatest, latestSeq);
    void this.fillHoles();
  }

  private emit(event: E): void {
    this.delivered = event.seq;
    this.options.emit(event);
  }

  private drainAhead(): void {
    let next = this.ahead.get(this.delivered + 1);
    while (next) {
      this.ahead.delete(next.seq);
      this.emit(next);
      next = this.ahead.get(this.delivered + 1);
    }
  }

  /** Where the first hole ends, or undefined when there is none. */
  private holeEnd(): number | undefined {
    if (this.ahead.size > 0) return Math.min(...this.ahead.keys()) - 1;
    return this.knownLatest > this.delivered ? this.knownLatest : undefined;
  }

  /** One fill at a time; it loops until no hole is left or the store has nothing more. */
  private async fillHoles(): Promise<void> {
    if (this.filling) return;
    this.filling = true;
    try {
      for (let upTo = this.holeEnd(); upTo !== undefined; upTo = this.holeEnd()) {
        if (upTo <= this.delivered) {
          this.drainAhead();
          continue;
        }
        const missing = await this.options.fillGap(this.delivered, upTo);
        if (missing.length === 0) break;
        for (const event of missing) this.accept(event);
      }
    } catch (error) {
      this.options.onFillError(error);
    } finally {
      this.filling = false;
    }
  }
}
