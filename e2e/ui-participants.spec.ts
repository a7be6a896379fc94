// [3/6] Names, renames and rooms with three participants, each in a browser context of its own.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

test("three participants: names, a rename, a room switch, leaving, and the right members and lines in every tab", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("names");
  const other = uniqueRoom("other");
  const tabs: ChatTab[] = [];
  try {
    for (const name of ["ana", "ben", "cyd"]) tabs.push(await ChatTab.openWithDialog(browser, url, room, name));
    const [ana, ben, cyd] = tabs as [ChatTab, ChatTab, ChatTab];
    for (const tab of tabs) {
      for (const name of ["ana", "ben", "cyd"]) await expect(tab.members).toContainText(name);
    }

    // The dialog of a new tab in the same browser is prefilled with the last name used there,
    // selected, so typing a new name replaces it instead of appending to it.
    const secondTab = await ana.context.newPage();
    await secondTab.goto(`/r/${uniqueRoom("prefill")}`);
    await expect(secondTab.locator("#name-input")).toHaveValue("ana");
    await expect(secondTab.locator("#name-input")).toBeFocused();
    await secondTab.keyboard.type("moe");
    await expect(secondTab.locator("#name-input")).toHaveValue("moe");
    await secondTab.close();

    // ben renames; everyone sees the rename line and the new name in the member list.
    await ben.page.getByRole("button", { name: "Change name" }).first().click();
    const renameInput = ben.page.locator("#name-input");
    await renameInput.fill("benedict");
    await renameInput.press("Enter");
    for (const tab of tabs) {
      await expect(tab.events.filter({ hasText: "ben is now benedict" })).toHaveCount(1);
      await expect(tab.members).toContainText("benedict");
    }
    await ben.send("signed-benedict");
    for (const tab of tabs) await expect(tab.messagesWith("signed-benedict")).toHaveAttribute("data-from", "benedict");

    // A rename to a name someone holds is refused, and the UI says so.
    await cyd.page.getByRole("button", { name: "Change name" }).first().click();
    await cyd.page.locator("#name-input").fill("ana");
    await cyd.page.locator("#name-input").press("Enter");
    await expect(cyd.page.getByRole("alert")).toContainText("ana");
    await expect(cyd.members).toContainText("cyd");
    await expect(ana.events.filter({ hasText: "cyd is now" })).toHaveCount(0);

    // cyd moves to another room through the room box: the URL changes and only that room's messages show.
    await ana.send("only-in-the-first-room");
    await expect(cyd.messagesWith("only-in-the-first-room")).toHaveCount(1);
    await cyd.page.locator("#room-input").fill(other);
    await cyd.page.locator("#room-input").press("Enter");
    await expect(cyd.page).toHaveURL(new RegExp(`/r/${other}$`));
    await cyd.expectStatus("open");
    await expect(cyd.messagesWith("only-in-the-first-room")).toHaveCount(0);
    await expect(cyd.members).not.toContainText("ana");
    await cyd.send("only-in-the-other-room");
    await expect(cyd.messagesWith("only-in-the-other-room")).toHaveCount(1);
    // Switching is not leaving: cyd is still a member of the first room, listed there, and hears of
    // its news as an unread count.
    await expect(cyd.rooms).toHaveCount(2);
    await ana.send("first-room-again");
    await expect(cyd.room(room)).toHaveAttribute("data-unread", "1");
    await expect(cyd.messagesWith("first-room-again")).toHaveCount(0);
    for (const tab of [ana, ben]) await expect(tab.members).toContainText("cyd");

    // Leaving is what the sidebar's leave button does: the others see cyd leave at once.
    await cyd
      .room(room)
      .getByRole("button", { name: `Leave #${room}` })
      .click();
    await expect(cyd.room(room)).toHaveCount(0);
    await expect(cyd.page).toHaveURL(new RegExp(`/r/${other}$`));
    for (const tab of [ana, ben]) {
      await expect(tab.events.filter({ hasText: "cyd left" })).toHaveCount(1, { timeout: 20_000 });
      await expect(tab.members).not.toContainText("cyd");
      await expect(tab.messagesWith("first-room-again")).toHaveCount(1);
      await expect(tab.messagesWith("only-in-the-other-room")).toHaveCount(0);
    }
    await expect(cyd.messagesWith("first-room-again")).toHaveCount(0);

    // The back button returns to the first room (joining it again), with its history.
    await cyd.page.goBack();
    await expect(cyd.page).toHaveURL(new RegExp(`/r/${room}$`));
    await cyd.expectStatus("open");
    await cyd.expectActiveRoom(room);
    await expect(cyd.messagesWith("first-room-again")).toHaveCount(1);
    await expect(cyd.messagesWith("only-in-the-other-room")).toHaveCount(0);
  } finally {
    await Promise.all(tabs.map((tab) => tab.close()));
  }
});

test("a name already taken at join gets a suffix, and the UI says which name was given", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("clash");
  const first = await ChatTab.open(browser, url, room, "sam");
  const second = await ChatTab.openWithDialog(browser, url, room, "sam");
  try {
    await expect(second.page.getByTestId("name-adjusted")).toContainText("sam (2)");
    await second.send("from-the-second-sam");
    await expect(first.messagesWith("from-the-second-sam")).toHaveAttribute("data-from", "sam (2)");
  } finally {
    await first.close();
    await second.close();
  }
});
