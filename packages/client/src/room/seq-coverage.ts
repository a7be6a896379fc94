/** A closed range of seqs, `from <= seq <= to`. */
export type SeqRange = readonly [from: number, to: number];

/**
 * The seqs of a room whose events this tab has reflected, as sorted, disjoint, non-adjacent
 * ranges. Covered does not mean "held one by one": a page of chats as they stand (a fresh join, a
 * `before` page) leaves out the seqs of edits, deletes and reactions, yet every one of them in its
 * range is already in the chats' state, so the whole range is covered. Live events and `after`
 * pages cover their own seqs. What lies between two ranges is a gap to fill; the top of the
 * lowest range is where a resume starts.
 */
export class SeqCoverage {
  private ranges: [number, number][] = [];

  /** The ranges, lowest first. */
  get list(): readonly SeqRange[] {
    return this.ranges;
  }

  get isEmpty(): boolean {
    return this.ranges.length === 0;
  }

  /** The lowest covered seq. */
  get lowest(): number | undefined {
    return this.ranges[0]?.[0];
  }

  /** The highest covered seq (0 when nothing is). */
  get highest(): number {
    return this.ranges[this.ranges.length - 1]?.[1] ?? 0;
  }

  /** The top of the lowest range: every seq from the lowest covered up to it is covered. */
  get contiguousTop(): number | undefined {
    return this.ranges[0]?.[1];
  }

  has(seq: number): boolean {
    const index = this.firstEndingAtOrAbove(seq);
    const range = this.ranges[index];
    return range !== undefined && range[0] <= seq;
  }

  /** Whether `a` and `b` are both covered with no gap between them. */
  sameRange(a: number, b: number): boolean {
    const range = this.ranges[this.firstEndingAtOrAbove(Math.min(a, b))];
    return range !== undefined && range[0] <= Math.min(a, b) && range[1] >= Math.max(a, b);
  }

  /** The first uncovered stretch above the lowest covered seq: `after < seq < before`. */
  firstGap(): { after: number; before: number } | undefined {
    const [first, second] = this.ranges;
    return first && second ? { after: first[1], before: second[0] } : undefined;
  }

  /** Covers `from..to` (nothing when `to < from`). Returns whether anything new was covered. */
  add(from: number, to: number): boolean {
    if (to < from) return false;
    const last = this.ranges[this.ranges.length - 1];
    // The live stream's case: one seq on top of the newest range, or a new range above it.
    if (!last || from > last[1] + 1) {
      this.ranges.push([from, to]);
      return true;
    }
    if (from >= last[0]) {
      if (to <= last[1]) return false;
      last[1] = to;
      return true;
    }
    // Anywhere else: every range that overlaps or touches `from..to` merges with it.
    const start = this.firstEndingAtOrAbove(from - 1);
    let end = start;
    let low = from;
    let high = to;
    while (end < this.ranges.length && (this.ranges[end] as [number, number])[0] <= to + 1) {
      const [rangeFrom, rangeTo] = this.ranges[end] as [number, number];
      low = Math.min(low, rangeFrom);
      high = Math.max(high, rangeTo);
      end++;
    }
    const only = this.ranges[start];
    if (end === start + 1 && only && only[0] === low && only[1] === high) return false;
    this.ranges.splice(start, end - start, [low, high]);
    return true;
  }

  /** Forgets every seq below `seq`. */
  dropBelow(seq: number): void {
    const start = this.firstEndingAtOrAbove(seq);
    this.ranges.splice(0, start);
    const first = this.ranges[0];
    if (first && first[0] < seq) first[0] = seq;
  }

  /** Forgets every seq in `from..to` (a stretch dropped from the middle: what was around it stays covered). */
  remove(from: number, to: number): void {
    if (to < from) return;
    const kept: [number, number][] = [];
    for (const [rangeFrom, rangeTo] of this.ranges) {
      if (rangeTo < from || rangeFrom > to) kept.push([rangeFrom, rangeTo]);
      else {
        if (rangeFrom < from) kept.push([rangeFrom, from - 1]);
        if (rangeTo > to) kept.push([to + 1, rangeTo]);
      }
    }
    this.ranges = kept;
  }

  clear(): void {
    this.ranges = [];
  }

  /** The index of the first range whose end is at or above `seq`. */
  private firstEndingAtOrAbove(seq: number): number {
    let low = 0;
    let high = this.ranges.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.ranges[mid] as [number, number])[1] < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
