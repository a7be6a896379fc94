// [5/6] Mentions in the page: `@` autocomplete by keyboard, the mention highlighted, and the
// sidebar's mention badge, which counts apart from unread and clears once read.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

test("@ autocomplete by keyboard, the mention highlighted for its target, and the sidebar badge counts and clears", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("mentions");
  const elsewhere = uniqueRoom("elsewhere");
  const alice = await ChatTab.open(browser, url, room, "alice");
  const bob = await ChatTab.open(browser, url, room, "bob");
  try {
    await alice.joinRoom(elsewhere);

    // Bob types "@al": the list offers alice (present); Enter inserts "@alice ".
    await bob.input.click();
    await bob.input.pressSequentially("hi @al");
    const list = bob.page.getByTestId("mention-list");
    await expect(list).toBeVisible();
    await expect(list.getByRole("option")).toHaveText([/@alice/]);
    await expect(bob.input).toHaveAttribute("aria-activedescendant", "mention-list-0");
    await bob.input.press("Enter");
    await expect(bob.input).toHaveValue("hi @alice ");
    await expect(list).toHaveCount(0);
    // Escape closes the list without touching the text; typing goes on.
    await bob.input.pressSequentially("and @");
    await expect(list).toBeVisible();
    await bob.input.press("Escape");
    await expect(list).toHaveCount(0);
    await bob.input.pressSequentially("room look");
    await bob.input.press("Enter");
    await expect(bob.input).toHaveValue("");

    // Alice is elsewhere: the room shows one unread chat, and one mention of her on its own badge.
    const item = alice.room(room);
    await expect(item).toHaveAttribute("data-unread", "1");
    await expect(item).toHaveAttribute("data-mentions", "1");
    await expect(item.getByTestId("room-mentions")).toContainText("@ 1");

    // In the room the mentions of her (by name and @room) stand out; in bob's tab his own chat's do not.
    await alice.openRoom(room);
    const message = alice.messagesWith("look");
    await expect(message.getByTestId("mention").first()).toHaveText("@alice");
    await expect(message.locator('[data-testid="mention"][data-me]')).toHaveText(["@alice", "@room"]);
    await expect(bob.messagesWith("look").locator('[data-testid="mention"]:not([data-me])')).toHaveText(["@alice", "@room"]);
    await expect(item.getByTestId("room-mentions")).toHaveCount(0);

    // Read: back elsewhere, the badge stays cleared.
    await alice.openRoom(elsewhere);
    await expect(item).toHaveAttribute("data-mentions", "0");
    await expect(item).toHaveAttribute("data-unread", "0");
  } finally {
    await bob.close();
    await alice.close();
  }
});
