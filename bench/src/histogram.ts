/**
 * A log-bucketed latency histogram (1 % wide buckets from 1 µs to ~100 s): cheap to record in
 * the workers, small to send over IPC, exact enough for percentiles.
 */
const GROWTH = Math.log(1.01);
const BUCKETS = 1900;

export type SparseHistogram = Array<[bucket: number, count: number]>;

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  max = 0;

  recordMs(ms: number): void {
    const us = ms * 1000;
    const bucket = us <= 1 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log(us) / GROWTH));
    this.counts[bucket] = (this.counts[bucket] ?? 0) + 1;
    this.count++;
    if (ms > this.max) this.max = ms;
  }

  toSparse(): SparseHistogram {
    const out: SparseHistogram = [];
    for (let i = 0; i < BUCKETS; i++) {
      const c = this.counts[i] ?? 0;
      if (c > 0) out.push([i, c]);
    }
    return out;
  }

  merge(sparse: SparseHistogram, max: number): void {
    for (const [bucket, count] of sparse) {
      this.counts[bucket] = (this.counts[bucket] ?? 0) + count;
      this.count += count;
    }
    if (max > this.max) this.max = max;
  }

  /** The upper edge of the bucket holding quantile `q`, in ms. */
  quantileMs(q: number): number {
    if (this.count === 0) return Number.NaN;
    const target = Math.ceil(this.count * q);
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.counts[i] ?? 0;
      if (seen >= target) return Math.min(this.max, Math.exp((i + 1) * GROWTH) / 1000);
    }
    return this.max;
  }
}

/** Wall-clock ms that all processes on one machine agree on, with sub-ms resolution. */
export function wallMs(): number {
  return performance.timeOrigin + performance.now();
}
