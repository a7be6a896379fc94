// [3/6] What a user types or follows is never cut or dropped silently, and the keyboard stays where
// the user is typing.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

test("a link with a bad ?name= asks for a name and says why, and a bad room path says where you landed", async ({ browser, baseURL }) => {
  const context = await browser.newContext({ baseURL });
  try {
    const page = await context.newPage();
    const tooLong = "x".repeat(33);
    await page.goto(`/r/Bad%20Room!?name=${tooLong}`);
    const dialog = page.getByRole("dialog", { name: "Choose a name" });
    await expect(dialog).toBeVisible();
    await expect(page.locator("#name-input")).toHaveValue(tooLong);
    await expect(dialog).toContainText("A name can be at most 32 characters.");
    await expect(page.getByTestId("room-notice")).toContainText('"Bad Room!" is not a room name');
    await expect(page).toHaveURL(/\/\?name=x+$/);
    await page.locator("#name-input").fill("linked");
    await page.locator("#name-input").press("Enter");
    await expect(dialog).toHaveCount(0);
    await expect(page.locator(".status-badge")).toHaveAttribute("data-status", "open");
    await expect(page.getByTestId("me")).toContainText("linked");
    // Once the dialog is gone, typing goes straight into the composer.
    await expect(page.locator("#composer-input")).toBeFocused();

    // A room path in capitals is the same room, written the canonical way, with no notice.
    const other = await context.newPage();
    await other.goto("/r/General?name=caps");
    await expect(other).toHaveURL(/\/r\/general\?name=caps$/);
    await expect(other.locator(".status-badge")).toHaveAttribute("data-status", "open");
    await expect(other.locator("h1")).toContainText("#general");
    await expect(other.getByTestId("room-notice")).toHaveCount(0);
  } finally {
    await context.close();
  }
});

test("a long paste is kept whole and refused with a reason, emoji count as one, and Send keeps the focus", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("inputs");
  const writer = await ChatTab.open(browser, url, room, "writer");
  const reader = await ChatTab.open(browser, url, room, "reader");
  try {
    const { page } = writer;
    const emoji = "😀".repeat(2500);
    await writer.input.fill(emoji);
    await expect(writer.input).toHaveValue(emoji);
    await expect(page.locator("#composer-count")).toHaveText("2,500 / 2,000");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(page.getByTestId("alert")).toContainText("at most 2000 characters");
    await expect(writer.input).toHaveValue(emoji);

    const exactly = "😀".repeat(2000);
    await writer.input.fill(exactly);
    await expect(page.locator("#composer-count")).toHaveText("2,000 / 2,000");
    await page.getByRole("button", { name: "Send" }).click();
    await expect(writer.input).toHaveValue("");
    await expect(writer.input).toBeFocused();
    await expect(reader.messages).toHaveCount(1);
    await expect(reader.messages.first()).toContainText(exactly);

    // Cancelling the name dialog gives focus back to the control that opened it.
    const changeName = page.getByRole("button", { name: "Change name" });
    await changeName.focus();
    await page.keyboard.press("Enter");
    await expect(page.locator("#name-input")).toBeFocused();
    await page.keyboard.press("Escape");
    await expect(page.getByRole("dialog")).toHaveCount(0);
    await expect(changeName).toBeFocused();

    // The name dialog counts characters the same way: 33 emoji are refused, not cut to 32.
    await changeName.click();
    await page.locator("#name-input").fill("🙂".repeat(33));
    await page.locator("#name-input").press("Enter");
    await expect(page.getByRole("dialog")).toContainText("A name can be at most 32 characters.");
    await expect(page.locator("#name-input")).toHaveValue("🙂".repeat(33));
    await page.locator("#name-input").fill("🙂".repeat(32));
    await page.locator("#name-input").press("Enter");
    await expect(page.getByTestId("me")).toContainText("🙂".repeat(32));
    await expect(writer.input).toBeFocused();
  } finally {
    await writer.close();
    await reader.close();
  }
});
