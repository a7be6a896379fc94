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
