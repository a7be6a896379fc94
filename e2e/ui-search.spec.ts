import { expect, test } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { seedRoomStore } from "./support/seed-store";
import { ServerProcess } from "./support/server";

/** The seeded history: mostly filler, with a few messages to find, far enough back that opening one loads the page around it. */
function seededText(index: number): string {
  if (index === 20) return "the deploy pipeline is green again";
  if (index === 35) return "明天的测试环境准备好了";
  if (index === 70) return "我们测试一下";
  if (index === 90) return "试一下";
  return `filler line ${index}`;
}

test.describe("search", () => {
  test("finds English and Chinese (1, 2, 3+ characters) as you type, highlighted, and opens a result in place", async ({ browser }) => {
    const room = uniqueRoom("search");
    const server = await ServerProcess.create({}, { beforeStart: (dataDir) => seedRoomStore(dataDir, room, 300, seededText) });
    try {
      const tab = await ChatTab.open(browser, server.url, room, "finder");
      const { page } = tab;
      const box = page.getByTestId("search-input");
      const results = page.getByTestId("search-result");

      // `/` focuses the box (the panel loads on first use), and the syntax is hinted.
      await tab.log.click();
      await page.keyboard.press("/");
      await expect(box).toBeFocused();
      await expect(box).toHaveAttribute("role", "combobox");
      await expect(page.locator(".search-hint")).toContainText("from:");

      const search = async (query: string, expected: { seq: number; marks: string[] }[]) => {
        await box.fill(query);
        await expect(results).toHaveCount(expected.length);
        for (const [index, hit] of expected.entries()) {
          await expect(results.nth(index)).toHaveAttribute("data-seq", String(hit.seq));
          await expect(results.nth(index).locator("mark")).toHaveText(hit.marks);
          await expect(results.nth(index)).toContainText(`#${room}`);
          await expect(results.nth(index)).toContainText("seeder");
        }
      };
      await search("deploy", [{ seq: 20, marks: ["deploy"] }]);
      await search("DEPLOY green", [{ seq: 20, marks: ["deploy", "green"] }]);
      // Chinese: three characters (the trigram index), two and one (the short-term path); newest first.
      await search("环境准备", [{ seq: 35, marks: ["环境准备"] }]);
      await search("测试", [
        { seq: 70, marks: ["测试"] },
        { seq: 35, marks: ["测试"] },
      ]);
      await search("试", [
        { seq: 90, marks: ["试"] },
        { seq: 70, marks: ["试"] },
        { seq: 35, marks: ["试"] },
      ]);
      // Markup in a query is text, and the snippet is never HTML.
      await search("<b>", []);
      await expect(page.getByTestId("search-status")).toContainText("No messages");

      // A query the server refuses says why, inline.
      await box.fill("green after:2026-13-01");
      await expect(page.getByTestId("search-status")).toContainText("is not a day");
      await expect(results).toHaveCount(0);

      // A click opens the message in place: its room around it, highlighted, the link in the address.
      await search("deploy", [{ seq: 20, marks: ["deploy"] }]);
      await results.first().click();
      const found = tab.messages.and(page.locator('[data-seq="20"]'));
      await expect(found).toBeVisible();
      await expect(found).toHaveClass(/highlight/);
      expect(new URL(page.url()).pathname).toBe(`/r/${room}/20`);
      await expect(page.getByTestId("jump-to-present")).toBeVisible();

      // The keyboard: Ctrl+K, ↓, Enter opens the first result the same way.
      await tab.log.click();
      await page.keyboard.press("Control+k");
      await expect(box).toBeFocused();
      await box.fill("我们测试");
      await expect(results).toHaveCount(1);
      await box.press("ArrowDown");
      await expect(results.first()).toHaveAttribute("aria-selected", "true");
      await expect(box).toHaveAttribute("aria-activedescendant", /.+/);
      await box.press("Enter");
      await expect(tab.messages.and(page.locator('[data-seq="70"]'))).toHaveClass(/highlight/);
      expect(new URL(page.url()).pathname).toBe(`/r/${room}/70`);
      await tab.close();
    } finally {
      await server.dispose();
    }
  });

  test("pages on as the results scroll over all my rooms, each result once, and the scope narrows to this room", async ({ browser }) => {
    const room = uniqueRoom("search-more");
    const other = uniqueRoom("search-other");
    const server = await ServerProcess.create(
      {},
      {
        beforeStart: async (dataDir) => {
          await seedRoomStore(dataDir, room, 120, (index) => `needle ${index}`);
          await seedRoomStore(dataDir, other, 5, (index) => `needle elsewhere ${index}`);
        },
      },
    );
    try {
      const tab = await ChatTab.open(browser, server.url, room, "pager");
      await tab.joinRoom(other);
      await tab.openRoom(room);
      const box = tab.page.getByTestId("search-input");
      const results = tab.page.getByTestId("search-result");
      await box.click();
      // The panel (its own chunk) has taken the plain field's place and has the focus.
      await expect(box).toHaveAttribute("role", "combobox");
      await expect(box).toBeFocused();
      await box.fill("needle");
      await expect(results).toHaveCount(20);
      // Scrolling the results down brings the next pages, without repeats.
      for (let page = 0; page < 10 && (await results.count()) < 125; page++) {
        const before = await results.count();
        await tab.page.locator(".search-results").evaluate((element) => element.scrollTo(0, element.scrollHeight));
        await expect.poll(() => results.count()).toBeGreaterThan(before);
      }
      await expect(results).toHaveCount(125);
      const keys = await results.evaluateAll((elements) =>
        elements.map((element) => `${element.getAttribute("data-room")}/${element.getAttribute("data-seq")}`),
      );
      expect(new Set(keys).size).toBe(125);
      // Newest first over both rooms: the other room was seeded last, then this room from its newest down.
      expect(keys).toEqual([
        ...Array.from({ length: 5 }, (_, index) => `${other}/${5 - index}`),
        ...Array.from({ length: 120 }, (_, index) => `${room}/${120 - index}`),
      ]);

      await tab.page.getByTestId("search-scope-room").check();
      await expect(results).toHaveCount(20);
      await expect(results.filter({ hasText: `#${other}` })).toHaveCount(0);
      await tab.close();
    } finally {
      await server.dispose();
    }
  });
});
