/** A token bucket refilled continuously: `burst` tokens at most, `ratePerSecond` added per second. */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly burst: number,
    private readonly ratePerSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.updatedAt = now;
  }

  /** Takes one token; returns 0 on success, else how many ms until one is available. */
  take(now: number): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000);
  }
}

/** Counts events in a sliding window, keeping only the last `limit` timestamps. */
export class WindowCounter {
  /** Made on the first hit: most connections never have one. */
  private times: number[] | null = null;

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an event and reports whether `limit` events now fall within the window. */
  hit(now: number): boolean {
    this.times ??= [];
    const times = this.times;
    times.push(now);
    if (times.length > this.limit) times.shift();
    return times.length >= this.limit && now - (times[0] ?? now) < this.windowMs;
  }
}
