// [3/6] A 390x844 phone: the chat fits the screen, and the sidebar lives in a drawer behind the menu button.
import type { Page } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";
import { expectWhollyInViewport } from "./support/ui-helpers";

/** Waits out the drawer's slide, so boxes and screenshots show where it comes to rest. */
async function settleDrawer(page: Page): Promise<void> {
  await page.locator("#sidebar").evaluate((sidebar) => Promise.all(sidebar.getAnimations().map((animation) => animation.finished)));
}

const PHONE = { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true } as const;

test("on a 390x844 phone the composer, log and menu fit the screen, and the drawer shows the members", async ({
  browser,
  baseURL,
}, testInfo) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("phone");
  const friend = await ChatTab.open(browser, url, room, "friend");
  let phone: ChatTab | undefined;
  try {
    phone = await ChatTab.openWithDialog(browser, url, room, "pocket", PHONE);
    const { page } = phone;
    // Enough lines to fill the screen, one long enough to wrap.
    for (let index = 1; index <= 12; index++) await friend.send(`line ${index} from the friend`);
    await friend.send(`a long line that has to wrap on a narrow screen ${"word ".repeat(30)}end-of-long-line`);
    await phone.send("hello from a small screen");
    await expect(phone.messagesWith("hello from a small screen")).toBeInViewport();

    const menu = page.getByRole("button", { name: "Menu" });
    await expectWhollyInViewport(page, phone.input, "the composer");
    await expectWhollyInViewport(page, page.getByRole("button", { name: "Send" }), "the Send button");
    await expectWhollyInViewport(page, phone.log, "the message log");
    await expectWhollyInViewport(page, menu, "the menu button");
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    // Nothing is wider than the screen (no sideways scrolling).
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);

    const screenshot = testInfo.outputPath("phone-390x844.png");
    await page.screenshot({ path: screenshot });
    await testInfo.attach("phone-390x844", { path: screenshot, contentType: "image/png" });

    // Closed, the drawer is off screen; the menu button opens it.
    await expect(phone.members).not.toBeInViewport();
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await settleDrawer(page);
    await expect(phone.members).toBeVisible();
    await expectWhollyInViewport(page, phone.members, "the member list in the drawer");
    for (const name of ["friend", "pocket"]) await expect(phone.members).toContainText(name);
    await expect(page.getByTestId("me")).toContainText("pocket");
    const drawerShot = testInfo.outputPath("phone-390x844-drawer.png");
    await page.screenshot({ path: drawerShot });
    await testInfo.attach("phone-390x844-drawer", { path: drawerShot, contentType: "image/png" });

    // The scrim dims the chat behind the drawer, also under a pointer (it used to turn opaque accent blue on hover).
    const scrim = page.getByRole("button", { name: "Close" });
    await page.mouse.move(370, 420);
    await expect(scrim).toHaveCSS("background-color", "rgba(0, 0, 0, 0.45)");
    await scrim.click({ position: { x: 370, y: 420 } });
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await settleDrawer(page);
    await expect(phone.members).not.toBeInViewport();

    // Open, the drawer is modal: focus moves into it, Tab never reaches the chat behind it (which is
    // inert), and Escape closes it and gives focus back to the menu button.
    await menu.click();
    await expect(menu).toHaveAttribute("aria-expanded", "true");
    await expect.poll(() => page.evaluate(() => !!document.getElementById("sidebar")?.contains(document.activeElement))).toBe(true);
    await expect(page.locator("main")).toHaveAttribute("inert", "");
    const stops = await page
      .locator("#sidebar")
      .evaluate((sidebar) => sidebar.querySelectorAll("a[href], button:not([disabled]), input:not([disabled])").length);
    // Round the whole cycle both ways, so both ends wrap.
    for (const key of [...Array(stops + 2).fill("Tab"), ...Array(stops + 2).fill("Shift+Tab")]) {
      await page.keyboard.press(key);
      const focusInDrawer = await page.evaluate(
        () =>
          !!document.getElementById("sidebar")?.contains(document.activeElement) || !!document.activeElement?.classList.contains("scrim"),
      );
      expect(focusInDrawer, `focus after ${key}`).toBe(true);
    }
    await page.keyboard.press("Escape");
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await expect(menu).toBeFocused();
    await expect(page.locator("main")).not.toHaveAttribute("inert", "");
    await settleDrawer(page);
    await expect(phone.members).not.toBeInViewport();

    // Renaming from the drawer: the drawer stays, and focus comes back to it, not to the inert chat behind.
    await menu.click();
    await page.getByRole("button", { name: "Change name" }).click();
    await page.locator("#name-input").fill("pocket2");
    await page.locator("#name-input").press("Enter");
    await expect(page.getByTestId("me")).toContainText("pocket2");
    await expect(page.getByRole("button", { name: "Change name" })).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(menu).toBeFocused();

    // Switching rooms from the drawer closes the drawer and lands in the new room.
    const other = uniqueRoom("phone-other");
    await menu.click();
    await page.locator("#room-input").fill(other);
    await page.locator("#room-input").press("Enter");
    await expect(page).toHaveURL(new RegExp(`/r/${other}$`));
    await expect(menu).toHaveAttribute("aria-expanded", "false");
    await phone.expectStatus("open");
    await expect(phone.messagesWith("from the friend")).toHaveCount(0);
    await expectWhollyInViewport(page, phone.input, "the composer after switching rooms");
  } finally {
    await phone?.close();
    await friend.close();
  }
});
