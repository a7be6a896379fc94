import { type Browser, type BrowserContextOptions, expect, type Locator, type Page } from "@playwright/test";
import { ChatTab } from "./chat-page";

/**
 * A participant in a browser context with options of its own (viewport, locale...), joined to
 * `room` through the name dialog, as a first-time visitor does. ChatTab.open/openWithDialog
 * cover the default context; this is for the screens that depend on the context.
 */
export async function joinThroughDialog(
  browser: Browser,
  baseURL: string,
  room: string,
  name: string,
  options: BrowserContextOptions,
): Promise<ChatTab> {
  const context = await browser.newContext({ ...options, baseURL });
  const page = await context.newPage();
  await page.goto(`/r/${room}`);
  const input = page.locator("#name-input");
  await input.fill(name);
  await input.press("Enter");
  await expect(input).toHaveCount(0);
  const tab = new ChatTab(context, page, name);
  await tab.expectStatus("open");
  return tab;
}

/** Fails unless every pixel of `locator` lies inside the page's viewport (not just a sliver of it). */
export async function expectWhollyInViewport(page: Page, locator: Locator, what: string): Promise<void> {
  await expect(locator, `${what} is visible`).toBeVisible();
  const viewport = page.viewportSize();
  const box = await locator.boundingBox();
  if (!viewport || !box) throw new Error(`${what}: no viewport or no box`);
  const edges = { left: box.x, top: box.y, right: box.x + box.width, bottom: box.y + box.height };
  // Half a pixel of slack for sub-pixel layout.
  const slack = 0.5;
  expect(
    edges.left >= -slack && edges.top >= -slack && edges.right <= viewport.width + slack && edges.bottom <= viewport.height + slack,
    `${what} at ${JSON.stringify(edges)} lies within the ${viewport.width}x${viewport.height} viewport`,
  ).toBe(true);
}
