import { describe, expect, it } from "vitest";
import { lastIndexOfKey, olderPageAnchor, windowStart } from "../src/components/message-list/use-render-window";
import { isNearBottom } from "../src/components/message-list/use-scroll-anchor";

const keys = (count: number) => Array.from({ length: count }, (_, i) => ({ key: `k${i}` }));

describe("render window", () => {
  it("renders the newest page while following the bottom", () => {
    expect(windowStart(keys(450), null, 200)).toBe(250);
    expect(windowStart(keys(120), null, 200)).toBe(0);
  });

  it("stays at its anchor while the reader is scrolled up, however many items arrive", () => {
    expect(windowStart(keys(450), "k100", 200)).toBe(100);
    expect(windowStart(keys(900), "k100", 200)).toBe(100);
  });

  it("falls back to the newest page when the anchor left the log", () => {
    expect(windowStart(keys(450), "gone", 200)).toBe(250);
  });

  it("anchors one page further up to show older items, stopping at the first", () => {
    const items = keys(450);
    expect(olderPageAnchor(items, 250, 200)).toBe("k50");
    expect(olderPageAnchor(items, 50, 200)).toBe("k0");
    expect(olderPageAnchor([], 0, 200)).toBeNull();
  });

  it("finds the last occurrence of a key", () => {
    expect(lastIndexOfKey([{ key: "a" }, { key: "b" }, { key: "a" }], "a")).toBe(2);
    expect(lastIndexOfKey([{ key: "a" }], "z")).toBe(-1);
  });
});

describe("scroll anchor", () => {
  it("counts the reader at the bottom within the slack, exclusive", () => {
    expect(isNearBottom({ scrollHeight: 1000, scrollTop: 600, clientHeight: 400 }, 48)).toBe(true);
    expect(isNearBottom({ scrollHeight: 1000, scrollTop: 553, clientHeight: 400 }, 48)).toBe(true);
    expect(isNearBottom({ scrollHeight: 1000, scrollTop: 552, clientHeight: 400 }, 48)).toBe(false);
  });
});
