// [3/6] A reader who scrolled up is not yanked to the bottom; a "new messages" button appears.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";
import { seedMessages } from "./support/ws-client";

test("a reader scrolled up gets a new-messages button instead of a jump", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("scroll");
  await seedMessages(`${url.replace(/^http/, "ws")}/ws`, room, 60, (index) => `filler line ${index}`);
  const reader = await ChatTab.open(browser, url, room, "reader");
  const writer = await ChatTab.open(browser, url, room, "writer");
  try {
    // The log is virtualized (only rows on or near the screen are in the DOM): wait for the newest one.
    await expect(reader.page.locator('[data-testid=chat-message][data-seq="60"]')).toBeInViewport();
    // Up a little, not to the top (which would page in older history).
    await reader.log.hover();
    await reader.page.mouse.wheel(0, -600);
    await expect
      .poll(() => reader.log.evaluate((element) => element.scrollHeight - element.scrollTop - element.clientHeight))
      .toBeGreaterThan(300);
    const before = await reader.log.evaluate((element) => element.scrollTop);

    await writer.send("while-you-were-reading");
    // The button counts the message, so it is what shows it arrived: the list is virtualized, and
    // a row that far below the reader may not be rendered at all (CI run 58: it was not).
    const button = reader.page.getByRole("button", { name: /1 new message/ });
    await expect(button).toBeVisible();
    expect(await reader.log.evaluate((element) => element.scrollTop)).toBe(before);
    const arrived = reader.messagesWith("while-you-were-reading");
    if ((await arrived.count()) > 0) await expect(arrived).not.toBeInViewport();

    await button.click();
    await expect(reader.messagesWith("while-you-were-reading")).toBeInViewport();
    await expect(button).toHaveCount(0);

    // At the bottom, new messages scroll into view by themselves.
    await writer.send("now-following");
    await expect(reader.messagesWith("now-following")).toBeInViewport();
  } finally {
    await reader.close();
    await writer.close();
  }
});
