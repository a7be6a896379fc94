import { expect, type Locator, type Page } from "@playwright/test";

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
