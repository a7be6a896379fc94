import { describe, expect, it } from "vitest";
import { Budgets } from "../../src/chat/connection/budgets";
import { testConfig } from "../../src/config";

describe("the search budget of a connection", () => {
  it("allows 10 at once, then 2 per second, apart from the chat and history budgets", () => {
    const opened = 1_000_000;
    const budgets = new Budgets(testConfig().limits, opened);
    for (let i = 0; i < 10; i++) expect(budgets.spend("search", opened)).toBe(0);
    expect(budgets.spend("search", opened)).toBe(500);
    expect(budgets.spend("search", opened + 499)).toBeGreaterThan(0);
    expect(budgets.spend("search", opened + 500)).toBe(0);
    expect(budgets.spend("search", opened + 500)).toBeGreaterThan(0);
    // Two more a second later, and no more.
    expect(budgets.spend("search", opened + 1500)).toBe(0);
    expect(budgets.spend("search", opened + 1500)).toBe(0);
    expect(budgets.spend("search", opened + 1500)).toBeGreaterThan(0);
    // Searching spent nothing of the others.
    expect(budgets.spend("chat", opened)).toBe(0);
    expect(budgets.spend("history", opened)).toBe(0);
  });
});
