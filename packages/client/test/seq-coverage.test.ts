import { describe, expect, it } from "vitest";
import { SeqCoverage } from "../src/room/seq-coverage";

function covered(...ranges: [number, number][]) {
  const coverage = new SeqCoverage();
  for (const [from, to] of ranges) coverage.add(from, to);
  return coverage;
}

describe("SeqCoverage", () => {
  it("merges ranges that overlap or touch, in any order, and says when nothing new was covered", () => {
    const coverage = covered([10, 12], [1, 3], [20, 20]);
    expect(coverage.list).toEqual([
      [1, 3],
      [10, 12],
      [20, 20],
    ]);
    expect(coverage.add(4, 5)).toBe(true);
    expect(coverage.list[0]).toEqual([1, 5]);
    expect(coverage.add(2, 4)).toBe(false);
    expect(coverage.add(11, 11)).toBe(false);
    expect(coverage.add(5, 3)).toBe(false);
    // One range spanning several swallows them all.
    expect(coverage.add(6, 19)).toBe(true);
    expect(coverage.list).toEqual([[1, 20]]);
  });

  it("extends the newest range one seq at a time, as the live stream does", () => {
    const coverage = new SeqCoverage();
    for (let seq = 1; seq <= 5; seq++) coverage.add(seq, seq);
    coverage.add(7, 7);
    expect(coverage.list).toEqual([
      [1, 5],
      [7, 7],
    ]);
    expect(coverage.add(7, 7)).toBe(false);
    coverage.add(6, 6);
    expect(coverage.list).toEqual([[1, 7]]);
  });

  it("knows its lowest, highest, contiguous top, first gap and membership", () => {
    const coverage = covered([4, 6], [9, 9], [12, 15]);
    expect(coverage.lowest).toBe(4);
    expect(coverage.highest).toBe(15);
    expect(coverage.contiguousTop).toBe(6);
    expect(coverage.firstGap()).toEqual({ after: 6, before: 9 });
    expect([3, 4, 6, 7, 9, 10, 13, 16].map((seq) => coverage.has(seq))).toEqual([false, true, true, false, true, false, true, false]);
    expect(coverage.sameRange(4, 6)).toBe(true);
    expect(coverage.sameRange(15, 12)).toBe(true);
    expect(coverage.sameRange(4, 9)).toBe(false);
    expect(coverage.sameRange(7, 7)).toBe(false);
    const empty = new SeqCoverage();
    expect(empty.isEmpty).toBe(true);
    expect(empty.lowest).toBeUndefined();
    expect(empty.highest).toBe(0);
    expect(empty.contiguousTop).toBeUndefined();
    expect(empty.firstGap()).toBeUndefined();
    expect(empty.has(1)).toBe(false);
  });

  it("forgets what lies below a seq, cutting a range in two where it falls", () => {
    const coverage = covered([1, 5], [8, 12]);
    coverage.dropBelow(3);
    expect(coverage.list).toEqual([
      [3, 5],
      [8, 12],
    ]);
    coverage.dropBelow(7);
    expect(coverage.list).toEqual([[8, 12]]);
    coverage.dropBelow(10);
    expect(coverage.list).toEqual([[10, 12]]);
    coverage.dropBelow(20);
    expect(coverage.isEmpty).toBe(true);
  });
});
