import { describe, expect, it } from "vitest";
import { exponentialBackoff } from "../src/transport/backoff";

describe("exponentialBackoff", () => {
  it("doubles from the base up to the cap when there is no jitter", () => {
    const backoff = exponentialBackoff({ baseMs: 500, maxMs: 10_000, jitter: 0 });
    expect([1, 2, 3, 4, 5, 6, 7, 20].map(backoff)).toEqual([500, 1000, 2000, 4000, 8000, 10_000, 10_000, 10_000]);
  });

  it("keeps the jittered delay between (1 - jitter) and 1 times the ceiling", () => {
    const low = exponentialBackoff({ baseMs: 1000, maxMs: 8000, jitter: 0.5, random: () => 0 });
    const high = exponentialBackoff({ baseMs: 1000, maxMs: 8000, jitter: 0.5, random: () => 0.999_999 });
    for (const attempt of [1, 2, 3, 4, 5, 9]) {
      const ceiling = Math.min(8000, 1000 * 2 ** (attempt - 1));
      expect(low(attempt)).toBe(ceiling / 2);
      expect(high(attempt)).toBe(ceiling);
    }
  });

  it("never exceeds the cap, whatever the random source says", () => {
    const samples = [0, 0.1, 0.5, 0.9, 0.999];
    for (const value of samples) {
      const backoff = exponentialBackoff({ maxMs: 3000, random: () => value });
      for (let attempt = 1; attempt < 40; attempt++) {
        expect(backoff(attempt)).toBeLessThanOrEqual(3000);
        expect(backoff(attempt)).toBeGreaterThanOrEqual(0);
      }
    }
  });

  it("treats attempt 0 like the first retry and is a pure function of its inputs", () => {
    const backoff = exponentialBackoff({ baseMs: 200, jitter: 0.5, random: () => 0.5 });
    expect(backoff(0)).toBe(backoff(1));
    expect(backoff(3)).toBe(backoff(3));
    expect(backoff(1)).toBe(150);
  });
});
