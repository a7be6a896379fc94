// [3/6] Messages people can fix, in the page: edit, delete, react and reply from the message's
// actions, seen live by another tab, and caught up by a third that was offline through all of it.
import type { Locator } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

/** What a tab shows of each chat it renders, by seq: the parts a change can touch. */
async function view(tab: ChatTab) {
  const rows = await tab.messages.evaluateAll((elements) =>
    elements.map((element) => ({
      seq: Number(element.getAttribute("data-seq")),
      text: element.querySelector(".message-text")?.textContent ?? null,
      deleted: element.querySelector(".deleted-line") !== null,
      edited: element.querySelector("[data-testid=edited]") !== null,
      quote: element.querySelector("[data-testid=reply-quote]")?.textContent ?? null,
      reactions: [...element.querySelectorAll("[data-testid=reaction]")].map(
        (chip) => `${chip.getAttribute("data-emoji")} ${chip.getAttribute("data-count")}`,
      ),
    })),
  );
  return rows.sort((a, b) => a.seq - b.seq);
}

/** Opens a message's actions as a mouse user does, and presses one of them. */
async function act(message: Locator, action: string): Promise<void> {
  await message.hover();
  await message.getByRole("button", { name: action, exact: true }).click();
}

test("two tabs edit, delete, react and reply; a third, offline through it all, comes back to the same view", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("changes");
  const alice = await ChatTab.open(browser, url, room, "alice");
  const bob = await ChatTab.open(browser, url, room, "bob");
  const carol = await ChatTab.open(browser, url, room, "carol");
  try {
    await alice.send("first draft wiht a typo");
    await alice.send("this one goes away");
    await expect(carol.messagesWith("this one goes away")).toHaveCount(1);

    // Carol's browser goes offline for everything that follows.
    await carol.context.setOffline(true);
    await carol.expectStatus("reconnecting");

    // Edit, from the message's actions: the composer takes the text, Enter saves it.
    await act(alice.messagesWith("first draft"), "Edit");
    await expect(alice.page.getByTestId("composer-intent")).toHaveAttribute("data-kind", "edit");
    await expect(alice.input).toHaveValue("first draft wiht a typo");
    await alice.send("first draft with the typo fixed");
    for (const tab of [alice, bob]) {
      const edited = tab.messagesWith("typo fixed");
      await expect(edited).toHaveAttribute("data-edited", "true");
      await expect(edited.getByTestId("edited")).toHaveText("(edited)");
      await expect(tab.messagesWith("wiht")).toHaveCount(0);
    }

    // React from the quick bar; the chip counts it, pressed for the one who reacted.
    await act(bob.messagesWith("typo fixed"), "React with 👍");
    await act(alice.messagesWith("typo fixed"), "React with 👍");
    for (const tab of [alice, bob]) {
      const chip = tab.messagesWith("typo fixed").getByTestId("reaction");
      await expect(chip).toHaveAttribute("data-count", "2");
      await expect(chip).toHaveAttribute("aria-pressed", "true");
      await expect(chip).toHaveAttribute("title", /alice|you/);
    }
    // Alice takes hers back with the chip itself.
    await alice.messagesWith("typo fixed").getByTestId("reaction").click();
    await expect(bob.messagesWith("typo fixed").getByTestId("reaction")).toHaveAttribute("data-count", "1");
    await expect(alice.messagesWith("typo fixed").getByTestId("reaction")).toHaveAttribute("aria-pressed", "false");

    // Reply: the composer says to whom, and the reply quotes its target.
    await act(bob.messagesWith("typo fixed"), "Reply");
    await expect(bob.page.getByTestId("composer-intent")).toContainText("Replying to alice");
    await bob.send("agreed, much better");
    for (const tab of [alice, bob]) {
      await expect(tab.messagesWith("agreed, much better").getByTestId("reply-quote")).toContainText("first draft with the typo fixed");
    }

    // Delete, once confirmed: a short line stays in its place.
    await act(alice.messagesWith("this one goes away"), "Delete");
    await alice.page.getByTestId("confirm-delete").click();
    for (const tab of [alice, bob]) {
      await expect(tab.messagesWith("this one goes away")).toHaveCount(0);
      await expect(tab.page.locator("[data-testid=chat-message][data-deleted=true]")).toContainText("Message deleted");
    }

    // Up in an empty composer edits one's last message; Escape leaves it as it was.
    await alice.input.focus();
    await alice.input.press("ArrowUp");
    await expect(alice.input).toHaveValue("first draft with the typo fixed");
    await alice.input.press("Escape");
    await expect(alice.input).toHaveValue("");
    await expect(alice.page.getByTestId("composer-intent")).toHaveCount(0);

    // Carol comes back: her log catches up on every change, to the view the others have.
    await carol.context.setOffline(false);
    await carol.expectStatus("open", 30_000);
    await expect(carol.messagesWith("agreed, much better")).toHaveCount(1);
    await expect(carol.messagesWith("this one goes away")).toHaveCount(0);
    await expect.poll(() => view(carol)).toEqual(await view(bob));
    expect(await view(alice)).toEqual(await view(bob));
  } finally {
    for (const tab of [alice, bob, carol]) await tab.close();
  }
});

test("Markdown renders: emphasis, code, quotes, lists and links", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("markdown");
  const alice = await ChatTab.open(browser, url, room, "alice");
  const bob = await ChatTab.open(browser, url, room, "bob");
  try {
    await alice.send("**bold** and *italic* and `code` see https://example.com/md");
    await alice.send("> a quote\n\n- one\n- two\n\n```\nconst block = 1;\n```");
    const inline = bob.messagesWith("bold and italic");
    await expect(inline.locator(".message-text strong")).toHaveText("bold");
    await expect(inline.locator(".message-text em")).toHaveText("italic");
    await expect(inline.locator(".message-text code")).toHaveText("code");
    await expect(inline.getByRole("link", { name: "https://example.com/md" })).toHaveAttribute("href", "https://example.com/md");
    const blocks = bob.messagesWith("a quote");
    await expect(blocks.locator("blockquote")).toHaveText("a quote");
    await expect(blocks.locator("ul > li")).toHaveText(["one", "two"]);
    await expect(blocks.locator("pre code")).toHaveText("const block = 1;\n");
  } finally {
    await alice.close();
    await bob.close();
  }
});
