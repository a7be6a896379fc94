// [3/6] axe on the main screens, wide and phone-sized; any serious or critical violation fails.
import AxeBuilder from "@axe-core/playwright";
import type { Page } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

// Each test runs axe over the whole page three or four times. On a machine shared with other work,
// one axe pass took over 20 s (CI run 57: three of these tests passed 90 s at load 33, and took
// 41–66 s alone at load 20, on main's build as on this one), so these get a longer bound for hangs.
test.describe.configure({ timeout: 240_000 });

async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter((violation) => violation.impact === "serious" || violation.impact === "critical")
    .map((violation) => `${violation.id} (${violation.impact}): ${violation.nodes.map((node) => node.target.join(" ")).join(", ")}`);
}

for (const colorScheme of ["light", "dark"] as const) {
  test(`axe finds no serious violations on the name dialog and the chat (${colorScheme})`, async ({ browser, baseURL }) => {
    const url = baseURL ?? "";
    const room = uniqueRoom("axe");
    const context = await browser.newContext({ baseURL: url, colorScheme });
    const friend = await ChatTab.open(browser, url, room, "friend");
    try {
      const page = await context.newPage();
      await page.goto(`/r/${room}`);
      await expect(page.locator("#name-input")).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);

      await page.locator("#name-input").fill("checker");
      await page.locator("#name-input").press("Enter");
      const tab = new ChatTab(context, page, "checker");
      await tab.expectStatus("open");
      await friend.send("a message with a link https://example.com and\na second line");
      await tab.send("my own message");
      await friend.input.pressSequentially("typing");
      await expect(page.getByTestId("typing-indicator")).toContainText("friend");
      expect(await seriousViolations(page)).toEqual([]);

      // A second room with news: the sidebar's unread count, then the "new messages" line in it.
      const side = uniqueRoom("axe-side");
      await tab.joinRoom(side);
      await tab.openRoom(room);
      await friend.joinRoom(side);
      await friend.send("news in the side room");
      await expect(tab.room(side)).toHaveAttribute("data-unread", "1");
      expect(await seriousViolations(page)).toEqual([]);
      await tab.openRoom(side);
      await expect(page.getByTestId("unread-divider")).toBeVisible();
      expect(await seriousViolations(page)).toEqual([]);
    } finally {
      await context.close();
      await friend.close();
    }
  });
}

test("on a phone the chat is usable and axe-clean, with the sidebar in a drawer", async ({ browser, baseURL }, testInfo) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("phone");
  const context = await browser.newContext({ baseURL: url, viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const friend = await ChatTab.open(browser, url, room, "friend");
  try {
    const page = await context.newPage();
    await page.goto(`/r/${room}?name=phone`);
    const tab = new ChatTab(context, page, "phone");
    await tab.expectStatus("open");
    await friend.send("hello phone");
    await tab.send("hello from a small screen");
    await expect(tab.messagesWith("hello phone")).toBeInViewport();
    await expect(tab.input).toBeInViewport();
    await expect(page.getByRole("button", { name: "Send" })).toBeInViewport();
    // Nothing wider than the screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await testInfo.attach("phone", { body: await page.screenshot(), contentType: "image/png" });
    expect(await seriousViolations(page)).toEqual([]);

    // The member list lives in the drawer behind the menu button.
    await expect(tab.members).not.toBeInViewport();
    await page.getByRole("button", { name: "Menu" }).click();
    await expect(tab.members).toBeInViewport();
    await expect(tab.members).toContainText("friend");
    await testInfo.attach("phone-drawer", { body: await page.screenshot(), contentType: "image/png" });
  } finally {
    await context.close();
    await friend.close();
  }
});

// [3/6] The controls of messages people can fix: actions, reaction chips, reply quotes, the composer's
// reply mode and the emoji picker, in both colour schemes.
test("message actions, reactions, replies and the emoji picker are axe-clean and work from the picker", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("axe-changes");
  const friend = await ChatTab.open(browser, url, room, "friend");
  const tab = await ChatTab.open(browser, url, room, "checker");
  try {
    await friend.send("a message to react to, with `code` and **bold**");
    // Known by its seq: the reply below quotes its text.
    const seq = await tab.messagesWith("a message to react to").getAttribute("data-seq");
    const target = tab.page.locator(`[data-testid=chat-message][data-seq="${seq}"]`);
    await target.hover();
    await target.getByRole("button", { name: "React with 👍" }).click();
    await expect(target.getByTestId("reaction")).toHaveAttribute("aria-pressed", "true");
    await target.hover();
    await target.getByRole("button", { name: "Reply", exact: true }).click();
    await expect(tab.page.getByTestId("composer-intent")).toContainText("Replying to friend");
    await tab.send("my reply");
    const reply = tab.messagesWith("my reply");
    await expect(reply.getByTestId("reply-quote")).toContainText("a message to react to");
    // The actions shown on a message, as a keyboard user reaches them.
    await target.getByRole("button", { name: "Reply", exact: true }).focus();
    await expect(target.getByTestId("message-actions")).toHaveCSS("opacity", "1");
    for (const colorScheme of ["light", "dark"] as const) {
      await tab.page.emulateMedia({ colorScheme });
      expect(await seriousViolations(tab.page)).toEqual([]);
    }

    // The full picker, loaded on first use, with its data from the page's own server.
    await target.hover();
    await target.getByTestId("more-emoji").click();
    const picker = tab.page.getByTestId("emoji-picker");
    const search = picker.getByRole("searchbox").or(picker.locator("input"));
    await expect(search).toBeFocused();
    // The emoji cells of the grid (frimousse also renders a hidden row that it measures).
    const cells = picker.getByRole("gridcell");
    await expect(cells.first()).toBeVisible();
    expect(await seriousViolations(tab.page)).toEqual([]);
    await search.fill("rocket");
    await cells.and(picker.getByRole("gridcell", { name: "Rocket", exact: true })).click();
    await expect(picker).toHaveCount(0);
    await expect(
      friend.page.locator(`[data-testid=chat-message][data-seq="${seq}"] [data-testid=reaction][data-emoji="🚀"]`),
    ).toHaveAttribute("data-count", "1");

    // A reply's quote brings its target into view, marked.
    await reply.getByTestId("reply-quote").click();
    await expect(target).toHaveClass(/highlight/);
    await expect(target).toBeInViewport();
  } finally {
    await tab.close();
    await friend.close();
  }
});

// [4/6] The staff's screens: the New room dialog (its form, then the owner link shown once), the staff
// panel and a member's menu, in both colour schemes.
test("the New room dialog, the staff panel and the member menu are axe-clean", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("axe-staff");
  const owner = await ChatTab.open(browser, url, uniqueRoom("axe-hall"), "owner");
  let friend: ChatTab | undefined;
  const bothSchemes = async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      await owner.page.emulateMedia({ colorScheme });
      expect(await seriousViolations(owner.page)).toEqual([]);
    }
  };
  try {
    await owner.page.getByTestId("new-room").click();
    const dialog = owner.page.getByTestId("new-room-dialog");
    await expect(dialog.getByLabel("Room name")).toBeVisible();
    await bothSchemes();
    await dialog.getByLabel("Room name").fill(room);
    // Open, so a second browser joins without an invite.
    await dialog.getByTestId("new-room-private").uncheck();
    await dialog.getByRole("button", { name: "Create" }).click();
    await expect(dialog.getByTestId("owner-link")).toBeVisible();
    await bothSchemes();
    await dialog.getByTestId("owner-link-done").click();
    await expect(owner.page).toHaveURL(new RegExp(`/r/${room}$`));

    await owner.page.getByTestId("open-staff-panel").click();
    const panel = owner.page.getByTestId("staff-panel");
    await panel.getByTestId("create-invite").click();
    await expect(panel.getByTestId("invite-link")).toBeVisible();
    await bothSchemes();
    await panel.getByRole("button", { name: "Close" }).click();
    await expect(panel).toHaveCount(0);

    friend = await ChatTab.open(browser, url, room, "friend");
    const menuButton = owner.members.locator("li", { hasText: "friend" }).getByTestId("member-menu");
    await menuButton.click();
    await expect(owner.page.getByRole("menu")).toBeVisible();
    await bothSchemes();
  } finally {
    await owner.close();
    await friend?.close();
  }
});
