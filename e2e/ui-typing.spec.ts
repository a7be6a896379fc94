// [3/6] The typing indicator, seen from the other tabs.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

test("typing shows in the other tabs and clears after the message is sent", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("typing");
  const ada = await ChatTab.open(browser, url, room, "ada");
  const bo = await ChatTab.open(browser, url, room, "bo");
  const cy = await ChatTab.open(browser, url, room, "cy");
  try {
    await ada.input.pressSequentially("half a thought");
    // Typing shows for 5 s after the last keystroke's frame. On a loaded machine (CI run 63, load 18)
    // typing the phrase took longer than that and the line had gone before the check: ada keeps typing.
    await expect(async () => {
      await ada.input.press("End");
      await ada.input.pressSequentially(".");
      for (const tab of [bo, cy]) await expect(tab.page.getByTestId("typing-indicator")).toContainText("ada is typing", { timeout: 1_000 });
    }).toPass();
    // Nobody is told about their own typing.
    await expect(ada.page.getByTestId("typing-indicator")).not.toContainText("ada");

    await bo.input.pressSequentially("me too");
    // The server forgets a typist after 5 s of quiet, and a loaded machine can take longer than that
    // between two tabs' keystrokes: both keep typing until the third tab shows them together.
    await expect(async () => {
      await ada.input.press("End");
      await ada.input.pressSequentially(".");
      await bo.input.press("End");
      await bo.input.pressSequentially(".");
      await expect(cy.page.getByTestId("typing-indicator")).toContainText(/ada and bo are typing|bo and ada are typing/, {
        timeout: 1_000,
      });
    }).toPass();

    await ada.input.press("Enter");
    await bo.input.press("Enter");
    for (const tab of [bo, cy]) await expect(tab.messagesWith("half a thought")).toHaveCount(1);
    await expect(cy.page.getByTestId("typing-indicator")).not.toContainText("typing");
    await expect(ada.page.getByTestId("typing-indicator")).not.toContainText("typing");

    // Starting the next message right after a send shows again, even inside the throttle window.
    await ada.input.pressSequentially("and another");
    await expect(bo.page.getByTestId("typing-indicator")).toContainText("ada is typing");
  } finally {
    await Promise.all([ada, bo, cy].map((tab) => tab.close()));
  }
});
