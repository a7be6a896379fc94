// [3/6] Nothing a user types is ever HTML, and only http(s) links are clickable.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

const PAYLOADS = ["<img src=x onerror=alert(1)>", "<script>alert(2)</script>", "javascript:alert(3)"];

test("hostile text and names render literally, fire nothing, and only https links are clickable", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("xss");
  const hostileName = "<img src=x onerror=alert(4)>";
  const otherHostileNames = ["<script>alert(5)</script>", "javascript:alert(6)"];
  const victim = await ChatTab.open(browser, url, room, "victim");
  const mallory = await ChatTab.open(browser, url, room, hostileName);
  const accomplices = [];
  for (const name of otherHostileNames) accomplices.push(await ChatTab.open(browser, url, room, name));
  const dialogs: string[] = [];
  for (const tab of [mallory, victim, ...accomplices]) {
    tab.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  try {
    for (const payload of PAYLOADS) await mallory.send(payload);
    await mallory.send("see https://example.com/docs?a=1 for details");

    for (const tab of [mallory, victim]) {
      await expect(tab.messages).toHaveCount(PAYLOADS.length + 1);
      for (const payload of PAYLOADS) await expect(tab.messagesWith(payload)).toHaveCount(1);
      await expect(tab.messagesWith(PAYLOADS[0] ?? "")).toHaveAttribute("data-from", hostileName);
      await expect(tab.members).toContainText(hostileName);
      // Written as text, so no element came out of it.
      await expect(tab.log.locator("img, script")).toHaveCount(0);
      await expect(tab.members.locator("img, script")).toHaveCount(0);

      const link = tab.log.getByRole("link", { name: "https://example.com/docs?a=1" });
      await expect(link).toHaveAttribute("href", "https://example.com/docs?a=1");
      await expect(link).toHaveAttribute("target", "_blank");
      await expect(link).toHaveAttribute("rel", "noopener noreferrer");
      await expect(tab.log.locator('a[href^="javascript:" i]')).toHaveCount(0);
      await expect(tab.log.getByRole("link")).toHaveCount(1);
    }
    // The join line carries the hostile name as text too.
    await expect(victim.events.filter({ hasText: `${hostileName} joined` })).toHaveCount(1);
    await expect(victim.events.locator("img, script")).toHaveCount(0);
    // Every hostile name is listed as the very text it was typed as, and is no link.
    for (const name of [hostileName, ...otherHostileNames]) {
      await expect(victim.members.getByText(name, { exact: true })).toHaveCount(1);
      await expect(victim.events.filter({ hasText: `${name} joined` })).toHaveCount(1);
    }
    await expect(victim.members.locator("a, img, script")).toHaveCount(0);
    expect(dialogs).toEqual([]);
  } finally {
    for (const tab of [mallory, victim, ...accomplices]) await tab.close();
  }
});

// [3/6] The same payloads written as Markdown: links to other schemes, raw HTML, image syntax.
const MARKDOWN_PAYLOADS = [
  { text: "[click me](javascript:alert(7))", shows: "click me" },
  { text: "[data link](data:text/html,<script>alert(8)</script>)", shows: "data link" },
  { text: "<javascript:alert(9)>", shows: "javascript:alert(9)" },
  { text: "![pixel](https://example.com/x.png)", shows: "![pixel](https://example.com/x.png)" },
  { text: '<a href="javascript:alert(10)">html link</a>', shows: '<a href="javascript:alert(10)">html link</a>' },
  { text: "**<img src=x onerror=alert(11)>**", shows: "**<img src=x onerror=alert(11)>**" },
  { text: "`<script>alert(12)</script>`", shows: "<script>alert(12)</script>" },
];

test("hostile Markdown renders inert: no other scheme is a link, no HTML or image becomes an element", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("xss-md");
  const victim = await ChatTab.open(browser, url, room, "victim");
  const mallory = await ChatTab.open(browser, url, room, "mallory");
  const dialogs: string[] = [];
  for (const tab of [mallory, victim]) {
    tab.page.on("dialog", (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }
  try {
    for (const { text } of MARKDOWN_PAYLOADS) await mallory.send(text);
    for (const tab of [mallory, victim]) {
      await expect(tab.messages).toHaveCount(MARKDOWN_PAYLOADS.length);
      for (const { shows } of MARKDOWN_PAYLOADS)
        await expect(tab.log.locator(".message-text").getByText(shows, { exact: true })).toHaveCount(1);
      await expect(tab.log.locator("img, script, iframe, object, embed")).toHaveCount(0);
      await expect(tab.log.locator('[href^="javascript:" i], [href^="data:" i], [src]')).toHaveCount(0);
      await expect(tab.log.getByRole("link")).toHaveCount(0);
    }
    expect(dialogs).toEqual([]);
  } finally {
    await mallory.close();
    await victim.close();
  }
});
