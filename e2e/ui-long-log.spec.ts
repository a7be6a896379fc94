import { expect, test } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { ServerProcess } from "./support/server";
import { seedMessages } from "./support/ws-client";

// Feature: the page stays smooth with 5,000 messages loaded, because the DOM is capped.
test("a tab that receives 5,000 messages keeps a small DOM and stays usable", async ({ browser }) => {
  test.setTimeout(120_000);
  // One seeder pours messages in as fast as acks come back, so the default per-sender budget is raised.
  const server = await ServerProcess.create({ RATE_PER_SECOND: "100000", RATE_BURST: "100000" });
  let reader: ChatTab | undefined;
  try {
    const room = uniqueRoom("bulk");
    reader = await ChatTab.open(browser, server.url, room, "reader");
    const seqs = await seedMessages(`${server.url.replace(/^http/, "ws")}/ws`, room, 5_000, (index) => `bulk #${index}`);
    expect(seqs).toHaveLength(5_000);

    await expect(reader.page.locator('[data-testid=chat-message][data-seq="5000"]')).toHaveCount(1, { timeout: 60_000 });
    // Every message arrived, but only the newest few hundred are in the DOM.
    const rendered = await reader.messages.count();
    expect(rendered).toBeGreaterThan(0);
    expect(rendered).toBeLessThanOrEqual(300);
    await expect(reader.page.locator('[data-testid=chat-message][data-seq="5000"]')).toBeInViewport();

    // Still usable: the composer answers and the reader's own message lands at the bottom.
    await reader.send("still responsive after 5,000");
    const mine = reader.page.locator("[data-testid=chat-message]", { hasText: "still responsive after 5,000" });
    await expect(mine).toHaveCount(1);
    await expect(mine).toHaveAttribute("data-seq", "5001");
    await expect(mine).toBeInViewport();
  } finally {
    await reader?.close();
    await server.dispose();
  }
});
