// [2/6] Protocol 2 in the page: one connection carries all of a tab's rooms, the sidebar lists the
// user's rooms with unread counts, and identities outlive a tab (identity slots) while every open
// tab stays a participant of its own.
import type { Browser } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";
import { SilenceableLink } from "./support/silenceable-link";
import { seedMessages } from "./support/ws-client";

const TITLE = "WebSocket Chatroom";
/** The message right below the "new messages" line. */
const FIRST_UNREAD = "[data-testid=unread-divider] + [data-testid=chat-message]";

/** Opens a participant in `home` and joins `others` through the room box, ending back in `home`. */
async function memberOf(browser: Browser, url: string, name: string, home: string, others: string[]): Promise<ChatTab> {
  const tab = await ChatTab.open(browser, url, home, name);
  for (const room of others) await tab.joinRoom(room);
  await tab.openRoom(home);
  return tab;
}

/** Waits until the sidebar lists exactly `rooms`, in that order. */
async function expectRooms(tab: ChatTab, rooms: string[]): Promise<void> {
  await expect.poll(() => tab.roomNames()).toEqual(rooms);
}

/** The user id the page shows for itself (its own entry in the member list). */
async function myId(tab: ChatTab): Promise<string> {
  const id = await tab.members.locator("li.member-self").getAttribute("data-member-id");
  if (!id) throw new Error(`${tab.name} lists no entry of its own`);
  return id;
}

test("three tabs in three rooms: unread counts appear and clear, and switching opens no new connection", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const [roomA, roomB, roomC] = [uniqueRoom("ra"), uniqueRoom("rb"), uniqueRoom("rc")] as [string, string, string];
  const all = [roomA, roomB, roomC].sort();
  const tabs: ChatTab[] = [];
  try {
    tabs.push(await memberOf(browser, url, "ann", roomA, [roomB, roomC]));
    tabs.push(await memberOf(browser, url, "ben", roomB, [roomA, roomC]));
    tabs.push(await memberOf(browser, url, "cat", roomC, [roomA, roomB]));
    const [ann, ben, cat] = tabs as [ChatTab, ChatTab, ChatTab];
    for (const tab of tabs) {
      // Every room the user joined is listed, by name, with nothing unread yet.
      await expectRooms(tab, all);
      for (const room of all) await expect(tab.room(room)).toHaveAttribute("data-unread", "0");
      await expect(tab.page).toHaveTitle(new RegExp(`^#\\S+ · ${TITLE}$`));
    }

    // ann writes twice in A: ben and cat, looking at other rooms, see A's count; ann reads them live.
    await ann.send("a-news-1");
    await ann.send("a-news-2");
    for (const tab of [ben, cat]) {
      await expect(tab.room(roomA)).toHaveAttribute("data-unread", "2");
      await expect(tab.room(roomA).getByTestId("room-unread")).toHaveText(/^2/);
      await expect(tab.room(roomA).locator(".room-link-name")).toHaveCSS("font-weight", "700");
      await expect(tab.page).toHaveTitle(`(2) #${tab === ben ? roomB : roomC} · ${TITLE}`);
      await expect(tab.messagesWith("a-news-1")).toHaveCount(0);
    }
    await expect(ann.room(roomA)).toHaveAttribute("data-unread", "0");
    await expect(ann.page).toHaveTitle(`#${roomA} · ${TITLE}`);

    // cat writes in C: ben's total grows to 3, ann's count for C is 1.
    await cat.send("c-news-1");
    await expect(ben.room(roomC)).toHaveAttribute("data-unread", "1");
    await expect(ben.page).toHaveTitle(`(3) #${roomB} · ${TITLE}`);
    await expect(ann.room(roomC)).toHaveAttribute("data-unread", "1");
    await expect(ann.page).toHaveTitle(`(1) #${roomA} · ${TITLE}`);

    // ben opens A: the messages are there at once, under a "new messages" line, and A's count clears.
    await ben.openRoom(roomA);
    await expect(ben.messagesWith("a-news-1")).toHaveCount(1);
    await expect(ben.messagesWith("a-news-2")).toHaveCount(1);
    await expect(ben.page.getByTestId("unread-divider")).toHaveText("New messages");
    // The line sits right above the first unread message.
    await expect(ben.page.locator(FIRST_UNREAD)).toContainText("a-news-1");
    await expect(ben.room(roomA)).toHaveAttribute("data-unread", "0");
    await expect(ben.page).toHaveTitle(`(1) #${roomA} · ${TITLE}`);
    // Back in B (nothing new there: no line), A stays read; C still waits.
    await ben.openRoom(roomB);
    await expect(ben.page.getByTestId("unread-divider")).toHaveCount(0);
    await expect(ben.room(roomA)).toHaveAttribute("data-unread", "0");
    await expect(ben.room(roomC)).toHaveAttribute("data-unread", "1");
    await ben.openRoom(roomC);
    await expect(ben.messagesWith("c-news-1")).toHaveCount(1);
    await expect(ben.page).toHaveTitle(`#${roomC} · ${TITLE}`);

    // A message written in a room opened a moment ago reaches the others in it.
    await ben.send("c-from-ben");
    await expect(cat.messagesWith("c-from-ben")).toHaveAttribute("data-from", "ben");
    // cat watched it arrive in the room it had open with nothing unread: no "new messages" line.
    await expect(cat.page.getByTestId("unread-divider")).toHaveCount(0);
    await expect(ann.room(roomC)).toHaveAttribute("data-unread", "2");

    // Every switch above, in every tab, went over the socket the tab opened first.
    for (const tab of tabs) expect(tab.socketsOpened, `${tab.name}'s WebSockets`).toBe(1);
  } finally {
    await Promise.all(tabs.map((tab) => tab.close()));
  }
});

test("a room with more news than fits opens at its new-messages line, and counts as read once its newest message was on screen", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  const [roomA, roomB] = [uniqueRoom("calm"), uniqueRoom("busy")];
  const reader = await memberOf(browser, url, "reader", roomA, [roomB]);
  try {
    await seedMessages(`${url.replace(/^http/, "ws")}/ws`, roomB, 60);
    // Several seeders write at once, so a message is known by its seq, not its text.
    const newest = reader.page.locator('[data-testid=chat-message][data-seq="60"]');
    await expect(reader.room(roomB)).toHaveAttribute("data-unread", "60");

    await reader.openRoom(roomB);
    await expect(reader.page.getByTestId("unread-divider")).toBeInViewport();
    await expect(reader.page.locator(FIRST_UNREAD)).toHaveAttribute("data-seq", "1");
    // Held but not on screen (the log is virtualized, so far from the screen it is not in the DOM either).
    await expect(newest).not.toBeInViewport();
    // Not read: the newest message was never on screen.
    await reader.openRoom(roomA);
    await expect(reader.room(roomB)).toHaveAttribute("data-unread", "60");
    await expect(reader.page).toHaveTitle(`(60) #${roomA} · ${TITLE}`);

    // Opened again, and scrolled down to the newest message: now it is read.
    await reader.openRoom(roomB);
    await expect(reader.page.getByTestId("unread-divider")).toBeInViewport();
    await reader.log.hover();
    await reader.page.mouse.wheel(0, 50_000);
    await expect(newest).toBeInViewport();
    await expect(reader.page).toHaveTitle(`#${roomB} · ${TITLE}`);
    await reader.openRoom(roomA);
    await expect(reader.room(roomB)).toHaveAttribute("data-unread", "0");
    await expect(reader.page).toHaveTitle(`#${roomA} · ${TITLE}`);
  } finally {
    await reader.close();
  }
});

test("a message typed offline in a room the user then switches away from is delivered once", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const [roomA, roomB] = [uniqueRoom("typed"), uniqueRoom("away")];
  const watcher = await ChatTab.open(browser, url, roomA, "watcher");
  const user = await memberOf(browser, url, "user", roomA, [roomB]);
  try {
    await user.context.setOffline(true);
    await user.expectStatus("reconnecting", 10_000);
    await user.send("typed-offline-then-left");
    await expect(user.outbox).toHaveAttribute("data-status", "pending");
    await user.openRoom(roomB);
    await expect(user.room(roomA)).toHaveAttribute("data-unsent", "1");

    await user.context.setOffline(false);
    await user.expectStatus("open", 30_000);
    await expect(watcher.messagesWith("typed-offline-then-left")).toHaveCount(1);
    await expect(watcher.messagesWith("typed-offline-then-left")).toHaveAttribute("data-from", "user");
    await expect(user.room(roomA)).toHaveAttribute("data-unsent", "0");
    // A later message marks the end: a duplicate would have come before it.
    await watcher.send("end-marker");
    await expect(user.room(roomA)).toHaveAttribute("data-unread", "1");
    await user.openRoom(roomA);
    await expect(user.messagesWith("end-marker")).toHaveCount(1);
    for (const tab of [watcher, user]) await expect(tab.messagesWith("typed-offline-then-left")).toHaveCount(1);
    await expect(user.outbox).toHaveCount(0);
    const transcript = await user.transcript();
    expect(transcript.map((line) => line.seq)).toEqual([1, 2]);
  } finally {
    await user.close();
    await watcher.close();
  }
});

test("leaving from the sidebar: the active room hands over to the next, unsent messages still go out, and the room can be found again", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  const [roomA, roomB] = [uniqueRoom("leave-a"), uniqueRoom("leave-b")];
  const watcher = await ChatTab.open(browser, url, roomA, "watcher");
  const user = await memberOf(browser, url, "user", roomA, [roomB]);
  try {
    await user.context.setOffline(true);
    await user.expectStatus("reconnecting", 10_000);
    await user.send("sent-after-leaving");
    await expect(user.outbox).toHaveAttribute("data-status", "pending");

    // No confirmation; the page says what becomes of the unsent message.
    await user
      .room(roomA)
      .getByRole("button", { name: `Leave #${roomA}` })
      .click();
    await expect(user.page.getByTestId("left-with-unsent")).toHaveText(
      new RegExp(`You left #${roomA}\\. Its unsent message is still delivered\\.`),
    );
    await expectRooms(user, [roomB]);
    await user.expectActiveRoom(roomB);
    await expect(user.page).toHaveURL(new RegExp(`/r/${roomB}$`));

    await user.context.setOffline(false);
    await user.expectStatus("open", 30_000);
    // Delivered first, then the membership ends: the others see the message once, and the user
    // gone. (If the offline spell outlasted the presence grace, they also saw the user leave and
    // come back to deliver it first; that is the truth, so only the last line is asserted.)
    await expect(watcher.messagesWith("sent-after-leaving")).toHaveCount(1);
    await expect(watcher.messagesWith("sent-after-leaving")).toHaveAttribute("data-from", "user");
    await expect(watcher.events.filter({ hasText: /^user (joined|left)/ }).last()).toContainText("user left");
    await expect(watcher.members).not.toContainText("user");
    await user.page.getByTestId("left-with-unsent").getByRole("button", { name: "Dismiss" }).click();
    await expect(user.page.getByTestId("left-with-unsent")).toHaveCount(0);

    // The server forgot the membership too: a reload lists B only.
    await user.page.reload();
    await user.expectStatus("open");
    await expectRooms(user, [roomB]);

    // A has people in it, so the sidebar offers it to browse, and one click joins it again.
    const offered = user.page.getByTestId("browse-list").getByRole("button", { name: `#${roomA}` });
    await offered.click();
    await user.expectActiveRoom(roomA);
    await expectRooms(user, [roomA, roomB].sort());
    await expect(user.messagesWith("sent-after-leaving")).toHaveCount(1);
    await expect(user.page.getByTestId("browse-list").getByRole("button", { name: `#${roomA}` })).toHaveCount(0);
  } finally {
    await user.close();
    await watcher.close();
  }
});

test("a reload keeps the rooms, the read markers and the outbox", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const [roomA, roomB, roomC] = [uniqueRoom("keep-a"), uniqueRoom("keep-b"), uniqueRoom("keep-c")] as [string, string, string];
  const writer = await memberOf(browser, url, "writer", roomA, [roomB, roomC]);
  const context = await browser.newContext({ baseURL: url });
  // A link the test can cut, so a message stays in the outbox across the reload.
  const link = new SilenceableLink();
  const sentReads: Array<{ room: string; seq: number }> = [];
  await link.install(context, (text) => {
    const frame = JSON.parse(text) as { type: string; room?: string; seq?: number };
    if (frame.type === "read") sentReads.push({ room: frame.room ?? "", seq: frame.seq ?? 0 });
  });
  const page = await context.newPage();
  const reader = new ChatTab(context, page, "reader");
  try {
    await page.goto(`/r/${roomA}?name=reader`);
    await reader.expectStatus("open");
    await reader.joinRoom(roomB);
    await reader.joinRoom(roomC);

    // A is read on screen; B gets two unread; the reader stays in C.
    await reader.openRoom(roomA);
    await writer.send("a-read-1");
    await expect(reader.messagesWith("a-read-1")).toHaveCount(1);
    // The marker reached the server before the reload (the client sends it on its own schedule).
    await expect.poll(() => sentReads.some((read) => read.room === roomA && read.seq >= 1)).toBe(true);
    await reader.openRoom(roomC);
    await writer.openRoom(roomB);
    await writer.send("b-unread-1");
    await writer.send("b-unread-2");
    await expect(reader.room(roomB)).toHaveAttribute("data-unread", "2");

    // The link dies; the reader types in C, and reloads with the message still unsent.
    link.dead = true;
    await reader.send("queued-across-reload");
    await expect(reader.outbox).toHaveAttribute("data-status", "pending");
    await page.reload();
    await expect(page.locator("#name-input")).toHaveCount(0);
    await reader.expectActiveRoom(roomC);
    await expect(reader.outbox).toHaveCount(1);
    await expect(reader.outbox).toContainText("queued-across-reload");

    link.dead = false;
    await page.evaluate(() => window.dispatchEvent(new Event("online")));
    await reader.expectStatus("open", 30_000);
    await expectRooms(reader, [roomA, roomB, roomC].sort());
    await expect(reader.room(roomA)).toHaveAttribute("data-unread", "0");
    await expect(reader.room(roomB)).toHaveAttribute("data-unread", "2");
    await expect(page).toHaveTitle(`(2) #${roomC} · ${TITLE}`);
    // The outbox went out once, after the reload.
    await expect(reader.outbox).toHaveCount(0);
    await expect(reader.messagesWith("queued-across-reload")).toHaveCount(1);
    await writer.openRoom(roomC);
    await expect(writer.messagesWith("queued-across-reload")).toHaveCount(1);
    await expect(writer.messagesWith("queued-across-reload")).toHaveAttribute("data-from", "reader");

    // B's "new messages" line is where the marker stood before the reload.
    await reader.openRoom(roomB);
    await expect(reader.page.getByTestId("unread-divider")).toHaveCount(1);
    await expect(reader.page.locator(FIRST_UNREAD)).toContainText("b-unread-1");
  } finally {
    await context.close();
    await writer.close();
  }
});

test("a browser closed and reopened is participant 1 again with its rooms, while two tabs open at once are two participants", async ({
  browser,
  baseURL,
}) => {
  const url = baseURL ?? "";
  const [roomA, roomB, roomC] = [uniqueRoom("slot-a"), uniqueRoom("slot-b"), uniqueRoom("slot-c")] as [string, string, string];
  const first = await browser.newContext({ baseURL: url });
  let reopened: Awaited<ReturnType<Browser["newContext"]>> | undefined;
  try {
    const tab1 = new ChatTab(first, await first.newPage(), "first");
    await tab1.page.goto(`/r/${roomA}?name=first`);
    await tab1.expectStatus("open");
    await tab1.joinRoom(roomB);
    const firstId = await myId(tab1);

    // A second tab open at the same time is another participant: the dialog asks, prefilled with
    // the last name used here and selected, so typing replaces it.
    const tab2 = new ChatTab(first, await first.newPage(), "second");
    await tab2.page.goto(`/r/${roomC}`);
    await expect(tab2.page.locator("#name-input")).toHaveValue("first");
    await tab2.page.keyboard.type("second");
    await expect(tab2.page.locator("#name-input")).toHaveValue("second");
    await tab2.page.keyboard.press("Enter");
    await tab2.expectStatus("open");
    const secondId = await myId(tab2);
    expect(secondId).not.toBe(firstId);
    await expectRooms(tab2, [roomC]);
    await expect(tab1.members).not.toContainText("second");

    // The browser closes; it opens again with the same storage (a new context: no tab holds a slot).
    const state = await first.storageState();
    await first.close();
    reopened = await browser.newContext({ baseURL: url, storageState: state });
    const again = new ChatTab(reopened, await reopened.newPage(), "first");
    await again.page.goto(`/r/${roomA}`);
    await again.expectStatus("open");
    await expect(again.page.locator("#name-input")).toHaveCount(0);
    await expect(again.page.getByTestId("me")).toContainText("first");
    expect(await myId(again)).toBe(firstId);
    await expectRooms(again, [roomA, roomB].sort());

    // And a second tab next to it is participant 2 again, with its own room.
    const again2 = new ChatTab(reopened, await reopened.newPage(), "second");
    await again2.page.goto(`/r/${roomC}`);
    await again2.expectStatus("open");
    await expect(again2.page.getByTestId("me")).toContainText("second");
    expect(await myId(again2)).toBe(secondId);
    await expectRooms(again2, [roomC]);
  } finally {
    await reopened?.close();
    await first.close().catch(() => undefined);
  }
});
