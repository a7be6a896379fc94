// [5/6] Desktop notifications: only while the page is hidden, as each room's level asks, never for
// your own chats or a muted room, an edit only for a mention it adds; a click opens the message.
import { type ChatTab, uniqueRoom } from "./support/chat-page";
import {
  clickNotification,
  notificationsOf,
  openRecordingTab,
  type RecordedNotification,
  Speaker,
  setPageHidden,
} from "./support/notifications";
import { expect, test } from "./support/server";

async function setLevel(tab: ChatTab, level: "all" | "mentions" | "none"): Promise<void> {
  await tab.page.getByTestId("open-notifications").click();
  const menu = tab.page.getByTestId("notifications-menu");
  await menu.getByTestId(`notify-${level}`).check();
  // The level shows once the server's `notify` came back.
  await expect(tab.page.getByTestId("open-notifications")).toHaveAttribute("data-level", level);
  await tab.page.keyboard.press("Escape");
  await expect(menu).toHaveCount(0);
}

test("notifications follow each room's level while the page is hidden, and a click opens the message", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const roomA = uniqueRoom("notify-a");
  const roomB = uniqueRoom("notify-b");
  const alice = await openRecordingTab(browser, url, roomA, "alice", { permissions: ["notifications"] });
  const errors: string[] = [];
  alice.page.on("pageerror", (error) => errors.push(error.message));
  await alice.joinRoom(roomB);
  await alice.openRoom(roomA);
  const bob = await Speaker.join(url, roomA, "bob");
  await bob.joinRoom(roomB);
  const seen = () => notificationsOf(alice.page);
  const expectSeen = (expected: Partial<RecordedNotification>[]) =>
    expect.poll(seen).toEqual(expected.map((notification) => expect.objectContaining(notification)));
  try {
    await expect(alice.page.getByTestId("open-notifications")).toHaveAttribute("data-level", "mentions");
    // On screen: nothing notifies, whatever it says.
    await bob.say("@alice while you look");
    await expect(alice.messagesWith("while you look")).toHaveCount(1);
    await setPageHidden(alice.page, true);

    // Level "mentions" (the default): a plain chat and your own mention are silent, a mention of you is not.
    const plain = await bob.say("plain one");
    await expect(alice.messagesWith("plain one")).toHaveCount(1);
    await alice.send("@alice talking to myself");
    await expect(alice.messagesWith("talking to myself")).toHaveCount(1);
    const mention = await bob.say("@alice first mention");
    await expectSeen([{ title: `bob mentioned you in #${roomA}`, body: "@alice first mention", tag: `${roomA}/${mention}` }]);

    // An edit notifies for the mention it adds, not for one the chat already had.
    await bob.edit(mention, "@alice first mention, reworded");
    await bob.edit(plain, "plain one, now for @alice");
    await expectSeen([{ tag: `${roomA}/${mention}` }, { title: `bob mentioned you in #${roomA}`, tag: `${roomA}/${plain}` }]);

    // Level "all": every chat from others.
    await setLevel(alice, "all");
    const everything = await bob.say("plain two");
    await expect.poll(async () => (await seen()).at(-1)).toMatchObject({ title: `bob in #${roomA}`, tag: `${roomA}/${everything}` });

    // Level "none": nothing, not even a mention; the other room still notifies.
    await setLevel(alice, "none");
    await expect(alice.room(roomA)).toHaveAttribute("data-notify", "none");
    await bob.say("@alice you muted this");
    await expect(alice.messagesWith("you muted this")).toHaveCount(1);
    const elsewhere = await bob.say("@alice over here", roomB);
    await expect.poll(async () => (await seen()).at(-1)).toMatchObject({ tag: `${roomB}/${elsewhere}` });
    const all = await seen();
    expect(all.map((notification) => notification.body)).toEqual([
      "@alice first mention",
      "plain one, now for @alice",
      "plain two",
      "@alice over here",
    ]);

    // The click opens that room at that message.
    await clickNotification(alice.page, all.length - 1);
    await alice.expectActiveRoom(roomB);
    await expect(alice.messagesWith("over here")).toBeVisible();

    // "Hide message text": the room only.
    await alice.page.getByTestId("open-notifications").click();
    await alice.page.getByTestId("notify-hide-text").check();
    await alice.page.getByTestId("notify-sound").uncheck();
    await alice.page.keyboard.press("Escape");
    const hidden = await bob.say("@alice secret plans", roomB);
    await expect
      .poll(async () => (await seen()).at(-1))
      .toEqual({ title: `New message in #${roomB}`, body: null, tag: `${roomB}/${hidden}` });
    expect(errors).toEqual([]);
  } finally {
    await bob.close();
    await alice.close();
  }
});

test("denied permission: the menu says notifications are blocked, nothing is shown and nothing throws", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const room = uniqueRoom("notify-denied");
  // No permission granted: the browser refuses a request.
  const alice = await openRecordingTab(browser, url, room, "alice");
  const errors: string[] = [];
  alice.page.on("pageerror", (error) => errors.push(error.message));
  const bob = await Speaker.join(url, room, "bob");
  try {
    await alice.page.getByTestId("open-notifications").click();
    const status = alice.page.getByTestId("desktop-status");
    const enable = alice.page.getByTestId("desktop-enable");
    // Asked only now, from the button: a refusal shows as blocked.
    if ((await status.getAttribute("data-permission")) === "default") await enable.click();
    await expect(status).toHaveAttribute("data-permission", "denied");
    await expect(status).toContainText("Blocked");
    await expect(enable).toHaveCount(0);
    await alice.page.keyboard.press("Escape");
    await setPageHidden(alice.page, true);
    await bob.say("@alice can you hear me");
    await expect(alice.messagesWith("can you hear me")).toHaveCount(1);
    expect(await notificationsOf(alice.page)).toEqual([]);
    expect(errors).toEqual([]);
  } finally {
    await bob.close();
    await alice.close();
  }
});
