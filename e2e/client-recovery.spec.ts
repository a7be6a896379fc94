// How the client recovers on its own: a link that dies without a close, the browser going offline.
import type { Browser } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, ServerProcess, test } from "./support/server";
import { SilenceableLink } from "./support/silenceable-link";

/** A tab whose WebSocket traffic the test can silence, like Wi-Fi dropping with the socket still "open". */
async function openSilenceable(browser: Browser, baseURL: string, room: string, name: string) {
  const context = await browser.newContext({ baseURL });
  const link = new SilenceableLink();
  await link.install(context);
  const page = await context.newPage();
  const tab = new ChatTab(context, page, name);
  await page.goto(`/r/${room}?name=${encodeURIComponent(name)}`);
  await tab.expectStatus("open");
  // "open" is the socket; `ready` (with the session) and the room's `joined` may still be on their
  // way, and a link silenced before they arrive would drop them. Wait until the tab lists itself.
  await expect(tab.members).toContainText(name);
  return { tab, link };
}

test("messages sent into a silently dead link stay pending and go out by themselves once it is back", async ({ browser, baseURL }) => {
  const room = uniqueRoom("deadlink");
  const url = baseURL ?? "";
  const alice = await ChatTab.open(browser, url, room, "alice");
  const { tab: carol, link } = await openSilenceable(browser, url, room, "carol");
  try {
    await carol.send("before-outage");
    await expect(alice.messagesWith("before-outage")).toHaveCount(1);

    link.dead = true;
    const tokens = ["during-outage-1", "during-outage-2"];
    for (const token of tokens) await carol.send(token);
    // The unanswered sends make the client probe the link and give it up, well before the
    // 35 s a heartbeat alone would take.
    await carol.expectStatus("reconnecting", 30_000);
    await expect(carol.outbox).toHaveCount(2);
    for (const entry of await carol.outbox.all()) await expect(entry).toHaveAttribute("data-status", "pending");

    link.dead = false;
    await carol.page.evaluate(() => window.dispatchEvent(new Event("online")));
    await carol.expectStatus("open", 30_000);
    // No Retry click: both arrive, once each, and carol's outbox empties.
    for (const tab of [alice, carol]) for (const token of tokens) await expect(tab.messagesWith(token)).toHaveCount(1);
    await expect(carol.outbox).toHaveCount(0);
    await expect(carol.page.getByRole("button", { name: "Retry" })).toHaveCount(0);
  } finally {
    await carol.close();
    await alice.close();
  }
});

test("the browser going offline shows reconnecting at once, and a message typed meanwhile is delivered once back online", async ({
  browser,
  baseURL,
}) => {
  const room = uniqueRoom("offline");
  const url = baseURL ?? "";
  const alice = await ChatTab.open(browser, url, room, "alice");
  const bob = await ChatTab.open(browser, url, room, "bob");
  try {
    let attempts = 0;
    bob.page.on("websocket", () => attempts++);
    await bob.context.setOffline(true);
    // The `offline` event, not a 35 s heartbeat, ends the link.
    await bob.expectStatus("reconnecting", 10_000);
    await expect(bob.page.locator(".banner")).toContainText("You are offline");
    // Retries that fail while offline (the first comes after about a second) keep saying so:
    // once two of them have failed, the banner still says offline.
    const before = attempts;
    await expect.poll(() => attempts - before, { timeout: 30_000 }).toBeGreaterThanOrEqual(2);
    await expect(bob.page.locator(".banner")).toContainText("You are offline");
    await bob.send("typed-offline");
    await expect(bob.outbox).toHaveAttribute("data-status", "pending");

    await bob.context.setOffline(false);
    await bob.expectStatus("open", 30_000);
    await expect(alice.messagesWith("typed-offline")).toHaveCount(1);
    await expect(bob.messagesWith("typed-offline")).toHaveCount(1);
    await expect(bob.outbox).toHaveCount(0);
  } finally {
    await bob.close();
    await alice.close();
  }
});

test("a tab that comes back after the store was reset and refilled past its seq shows the new log, never a mix", async ({ browser }) => {
  const server = await ServerProcess.create({ HISTORY: "memory" });
  const room = uniqueRoom("reset");
  const alice = await ChatTab.open(browser, server.url, room, "alice");
  const { tab: bob, link } = await openSilenceable(browser, server.url, room, "bob");
  try {
    for (const token of ["old-1", "old-2", "old-3"]) await alice.send(token);
    await expect(bob.messagesWith("old-3")).toHaveCount(1);

    // bob is cut off while the server restarts empty and alice posts past bob's seq on the new store.
    link.dead = true;
    await server.stop("SIGKILL");
    await server.start();
    await alice.page.evaluate(() => window.dispatchEvent(new Event("online")));
    await alice.expectStatus("open", 30_000);
    const fresh = ["new-1", "new-2", "new-3", "new-4", "new-5"];
    for (const token of fresh) await alice.send(token);
    await expect(alice.outbox).toHaveCount(0);

    link.dead = false;
    await bob.page.evaluate(() => window.dispatchEvent(new Event("online")));
    await bob.expectStatus("open", 30_000);
    for (const token of fresh) await expect(bob.messagesWith(token)).toHaveCount(1);
    await expect(bob.messages).toHaveCount(fresh.length);
    const lines = async (tab: ChatTab) => (await tab.transcript()).map(({ seq, from }) => ({ seq, from }));
    expect(await lines(bob)).toEqual(await lines(alice));
    expect((await bob.transcript()).map((line) => line.seq)).toEqual([1, 2, 3, 4, 5]);
  } finally {
    await bob.close();
    await alice.close();
    await server.dispose();
  }
});

test("a successful rename clears the alert of a refused one", async ({ browser, baseURL }) => {
  const room = uniqueRoom("rename");
  const url = baseURL ?? "";
  const alice = await ChatTab.open(browser, url, room, "alice");
  const bob = await ChatTab.open(browser, url, room, "bob");
  const rename = async (name: string) => {
    await bob.page.getByTestId("me").getByRole("button").click();
    await bob.page.locator("#name-input").fill(name);
    await bob.page.locator("#name-input").press("Enter");
  };
  try {
    await rename("alice");
    await expect(bob.page.getByTestId("alert")).toHaveCount(1);
    await rename("robert");
    await expect(bob.page.getByTestId("me")).toContainText("robert");
    await expect(bob.page.getByTestId("alert")).toHaveCount(0);
  } finally {
    await bob.close();
    await alice.close();
  }
});

test("a message left pending in a room the user switched away from is delivered without going back", async ({ browser, baseURL }) => {
  const url = baseURL ?? "";
  const roomA = uniqueRoom("left");
  const roomB = uniqueRoom("went");
  const watcher = await ChatTab.open(browser, url, roomA, "watcher");
  const { tab: user, link } = await openSilenceable(browser, url, roomA, "user");
  try {
    link.dead = true;
    await user.send("left-behind");
    await expect(user.outbox).toHaveAttribute("data-status", "pending");
    // Navigate the way the app's room links do (history + popstate), while the link is still down.
    await user.page.evaluate((room) => {
      window.history.pushState(null, "", `/r/${room}`);
      window.dispatchEvent(new PopStateEvent("popstate"));
    }, roomB);
    await user.expectActiveRoom(roomB);
    // The room the user is in says what was left behind, and where: the first room's entry in the sidebar.
    const leftRoom = user.room(roomA);
    await expect(leftRoom).toHaveAttribute("data-unsent", "1");
    await expect(leftRoom).toContainText("1 message not sent yet");
    await expect(user.outbox).toHaveCount(0);
    link.dead = false;
    await user.page.evaluate(() => window.dispatchEvent(new Event("online")));
    await user.expectStatus("open", 30_000);
    // Delivered on the tab's one connection: the user never went back to the first room.
    await expect(watcher.messagesWith("left-behind")).toHaveCount(1, { timeout: 30_000 });
    await expect(leftRoom).toHaveAttribute("data-unsent", "0");
    await expect(leftRoom.getByTestId("room-unsent")).toHaveCount(0);
    await expect(watcher.messagesWith("left-behind")).toHaveAttribute("data-from", "user");
    await expect(user.page).toHaveURL(new RegExp(`/r/${roomB}$`));
  } finally {
    await user.close();
    await watcher.close();
  }
});
