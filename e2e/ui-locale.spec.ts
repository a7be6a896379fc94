// [3/6] A zh-CN browser gets the seed's Chinese strings, everywhere a person looks.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

test("with locale zh-CN the page speaks the seed's Chinese", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("zh");
  const context = await browser.newContext({ baseURL: url, locale: "zh-CN" });
  let english: ChatTab | undefined;
  try {
    // The name dialog of a first visit.
    const page = await context.newPage();
    await page.goto(`/r/${room}`);
    await expect(page.getByRole("dialog")).toContainText("选择昵称");
    await expect(page.getByRole("button", { name: "加入" })).toBeVisible();
    // A refused name is explained in Chinese too.
    await page.locator("#name-input").fill("   ");
    await page.locator("#name-input").press("Enter");
    await expect(page.getByRole("dialog")).toContainText("请输入昵称。");
    await page.locator("#name-input").fill("小明");
    await page.locator("#name-input").press("Enter");
    const zh = new ChatTab(context, page, "小明");
    await zh.expectStatus("open");

    await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
    await expect(page.getByRole("heading", { level: 1 })).toContainText("WebSocket 聊天室");
    await expect(page).toHaveTitle(/WebSocket 聊天室/);
    await expect(page.getByRole("button", { name: "发送消息" })).toBeVisible();
    await expect(page.getByRole("button", { name: "清空聊天记录" })).toBeVisible();
    await expect(zh.badge).toContainText("已连接");
    await expect(zh.input).toHaveAttribute("placeholder", /Enter 发送/);
    await expect(page.getByRole("button", { name: "修改昵称" })).toBeVisible();
    // The sidebar too: the user's rooms, and the button that leaves one.
    await expect(page.getByRole("heading", { name: "你的聊天室" })).toBeVisible();
    await expect(page.getByRole("button", { name: `离开 #${room}` })).toBeVisible();
    // No English left behind on the buttons.
    await expect(page.getByRole("button", { name: "Send", exact: true })).toHaveCount(0);
    await expect(page.getByRole("button", { name: "Clear chat log" })).toHaveCount(0);

    // What others do is described in Chinese too; the other participant's English browser stays English.
    english = await ChatTab.open(browser, url, room, "bob");
    await expect(zh.events.filter({ hasText: "bob 加入了聊天室" })).toHaveCount(1);
    await expect(page.getByRole("heading", { name: "成员（2）" })).toBeVisible();
    await english.input.pressSequentially("你好");
    await expect(page.getByTestId("typing-indicator")).toContainText("bob 正在输入…");
    await english.input.press("Enter");
    await expect(zh.messagesWith("你好")).toHaveAttribute("data-from", "bob");
    await expect(page.getByTestId("typing-indicator")).not.toContainText("正在输入");
    await expect(english.page.getByRole("button", { name: "Send", exact: true })).toBeVisible();

    await zh.send("大家好");
    await expect(english.messagesWith("大家好")).toHaveAttribute("data-from", "小明");

    // The clear button empties this tab's log only.
    await page.getByRole("button", { name: "清空聊天记录" }).click();
    await expect(zh.messages).toHaveCount(0);
    await expect(english.messages).toHaveCount(2);
  } finally {
    await english?.close();
    await context.close();
  }
});
