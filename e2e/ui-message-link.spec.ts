import { type Browser, expect, test } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { seedRoomStore } from "./support/seed-store";
import { ServerProcess } from "./support/server";

const BACK = 100_000;

/** A fresh browser context (a new participant) opening `path` of `server`. */
async function freshTab(browser: Browser, server: ServerProcess, path: string, name: string): Promise<ChatTab> {
  const context = await browser.newContext({ baseURL: server.url });
  const page = await context.newPage();
  const tab = new ChatTab(context, page, name);
  await page.goto(`${path}?name=${encodeURIComponent(name)}`);
  await tab.expectStatus("open");
  return tab;
}

/** The seqs of the chat rows in the DOM now, in display order. */
async function shownSeqs(tab: ChatTab): Promise<number[]> {
  return (await tab.transcript()).map((line) => line.seq);
}

/** Consecutive and in order: every seq of the room between the first and the last, once (the room's seeded history is all chats). */
function expectNoGap(seqs: readonly number[], what: string): void {
  const first = seqs[0] ?? 0;
  expect(seqs, what).toEqual(Array.from({ length: seqs.length }, (_, index) => first + index));
}

test.describe("links to a message", () => {
  test("a link 100,000 messages back opens in a fresh tab around the message, highlighted; live messages sent meanwhile are at the present, with no gap", async ({
    browser,
  }) => {
    test.slow();
    const room = uniqueRoom("link");
    const total = BACK + 40;
    const target = total - BACK;
    const server = await ServerProcess.create(
      {},
      { beforeStart: (dataDir) => seedRoomStore(dataDir, room, total, (index) => `seeded #${index}`) },
    );
    try {
      const talker = await ChatTab.open(browser, server.url, room, "talker");
      const reader = await freshTab(browser, server, `/r/${room}/${target}`, "reader");
      const linked = reader.messages.and(reader.page.locator(`[data-seq="${target}"]`));
      await expect(linked).toBeVisible();
      await expect(linked).toHaveClass(/highlight/);
      await expect(linked).toContainText(`seeded #${target}`);
      // The link stays in the address (a reload opens it again), and the window is apart from the present.
      expect(new URL(reader.page.url()).pathname).toBe(`/r/${room}/${target}`);
      await expect(reader.page.getByTestId("jump-to-present")).toBeVisible();
      expectNoGap(await shownSeqs(reader), "the window around the link");

      // Live messages while the reader is 100,000 messages back: not shown in the window...
      await talker.send("live while away 1");
      await talker.send("live while away 2");
      await expect(talker.messagesWith("live while away 2")).toHaveCount(1);
      await expect(reader.messagesWith("live while away")).toHaveCount(0);

      // ...and there at the present, right after the seeded history: nothing skipped, nothing twice.
      await reader.page.getByTestId("jump-to-present").click();
      await expect(reader.messagesWith("live while away 2")).toHaveCount(1);
      await expect(reader.page.getByTestId("jump-to-present")).toHaveCount(0);
      expect(new URL(reader.page.url()).pathname).toBe(`/r/${room}`);
      const present = await reader.transcript();
      expectNoGap(
        present.map((line) => line.seq),
        "the present",
      );
      expect(present.at(-2)?.text).toContain("live while away 1");
      expect(present.at(-3)?.text).toContain(`seeded #${total}`);
      // Still live: a message sent now shows at once.
      await talker.send("live after the jump");
      await expect(reader.messagesWith("live after the jump")).toHaveCount(1);
      await talker.close();
      await reader.close();
    } finally {
      await server.dispose();
    }
  });

  test("reading down from a link reaches the live messages sent meanwhile: every message once, none skipped", async ({ browser }) => {
    const room = uniqueRoom("read-down");
    const total = 400;
    const target = 60;
    const server = await ServerProcess.create(
      {},
      { beforeStart: (dataDir) => seedRoomStore(dataDir, room, total, (index) => `seeded #${index}`) },
    );
    try {
      const talker = await ChatTab.open(browser, server.url, room, "talker");
      const reader = await freshTab(browser, server, `/r/${room}/${target}`, "reader");
      await expect(reader.messages.and(reader.page.locator(`[data-seq="${target}"]`))).toHaveClass(/highlight/);
      await talker.send("live below the window");
      await expect(talker.messagesWith("live below the window")).toHaveCount(1);

      // Scroll down as a reader would, collecting every row seen, until the live message shows.
      const seen = new Map<number, string>();
      const scroller = reader.log;
      for (let step = 0; step < 800; step++) {
        const lines = await reader.transcript();
        // Each row once on screen, in order.
        expect(lines.map((line) => line.seq)).toEqual([...new Set(lines.map((line) => line.seq))].sort((a, b) => a - b));
        for (const line of lines) seen.set(line.seq, line.text);
        if ([...seen.values()].some((text) => text.includes("live below the window"))) break;
        // Less than a screen at a time, so every row is rendered at some point (the list is virtualized).
        await scroller.evaluate((element) => element.scrollBy(0, element.clientHeight * 0.7));
        await reader.page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
      }
      const seqs = [...seen.keys()].sort((a, b) => a - b);
      expectNoGap(seqs, "every row seen while reading down");
      expect(seqs.at(-1)).toBe(total + 1);
      expect(seen.get(total + 1)).toContain("live below the window");
      // The window met the live stream: no "jump to present" any more, and new messages keep coming.
      await expect(reader.page.getByTestId("jump-to-present")).toHaveCount(0);
      // The loop stops once the live row is rendered, which may be in the list's overscan below the
      // view: read on to the bottom, where a message that arrives now is shown as it comes.
      await scroller.evaluate((element) => element.scrollTo(0, element.scrollHeight));
      await expect(reader.messagesWith("live below the window")).toBeInViewport();
      await talker.send("and one more");
      await expect(reader.messagesWith("and one more")).toHaveCount(1);
      await talker.close();
      await reader.close();
    } finally {
      await server.dispose();
    }
  });

  test("Copy link gives the message's absolute link; opened, it shows that message", async ({ browser }) => {
    const room = uniqueRoom("copy");
    const server = await ServerProcess.create(
      {},
      { beforeStart: (dataDir) => seedRoomStore(dataDir, room, 300, (index) => `seeded #${index}`) },
    );
    try {
      const context = await browser.newContext({ baseURL: server.url, permissions: ["clipboard-read", "clipboard-write"] });
      const page = await context.newPage();
      const tab = new ChatTab(context, page, "copier");
      await page.goto(`/r/${room}?name=copier`);
      await tab.expectStatus("open");
      const message = tab.messagesWith("seeded #300");
      await message.hover();
      await message.getByTestId("copy-link").click();
      const link = await page.evaluate(() => navigator.clipboard.readText());
      expect(link).toBe(`${server.url}/r/${room}/300`);

      const other = await freshTab(browser, server, `/r/${room}/120`, "visitor");
      await expect(other.messages.and(other.page.locator('[data-seq="120"]'))).toHaveClass(/highlight/);
      await tab.close();
      await other.close();
    } finally {
      await server.dispose();
    }
  });
});
