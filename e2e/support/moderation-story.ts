// [4/6] Who may enter and who may speak, in real browsers: an owner creates a private room, invites
// a second browser, appoints a moderator; a third browser without an invite is refused; a spammer
// is muted, then banned, and every tab (one of them offline meanwhile) shows the same log.
// One story, told on one node with SQLite (ui-moderation.spec.ts) and on two nodes sharing PostgreSQL and Redis
// (ui-moderation-cluster.spec.ts), where each person's browser talks to the node their URL names.
import type { Browser, Locator } from "@playwright/test";
import { ChatTab, uniqueRoom } from "./chat-page";
import { expect } from "./server";

/** The server each person's browser loads the page from. */
export interface StoryUrls {
  alice: string;
  bob: string;
  eve: string;
  carol: string;
  dave: string;
}

/** The moderation lines of a tab's log, as text, in order. */
async function moderationLines(tab: ChatTab): Promise<string[]> {
  return tab.page.getByTestId("moderation-line").allInnerTexts();
}

/** The member menu of `name` in `tab`'s member list. */
function memberMenu(tab: ChatTab, name: string): Locator {
  return tab.members.locator("li", { hasText: name }).getByTestId("member-menu");
}

export async function privateRoomStory(browser: Browser, urls: StoryUrls): Promise<void> {
  const room = uniqueRoom("private");
  const tabs: ChatTab[] = [];
  try {
    // The owner makes the room from the lobby's "New room" dialog; the owner link is shown once.
    const alice = await ChatTab.open(browser, urls.alice, uniqueRoom("hall"), "alice");
    tabs.push(alice);
    await alice.page.getByTestId("new-room").click();
    const dialog = alice.page.getByTestId("new-room-dialog");
    await dialog.getByLabel("Room name").fill(room);
    await expect(dialog.getByTestId("new-room-private")).toBeChecked();
    await dialog.getByRole("button", { name: "Create" }).click();
    const ownerLink = await dialog.getByTestId("owner-link").inputValue();
    expect(ownerLink).toMatch(new RegExp(`/r/${room}#key=[A-Za-z0-9_-]{43}$`));
    await dialog.getByTestId("owner-link-done").click();
    await expect(alice.page).toHaveURL(new RegExp(`/r/${room}$`));
    await expect(alice.page.getByTestId("room-private")).toBeVisible();
    await expect(alice.members.getByTestId("role-badge")).toHaveAttribute("data-role", "owner");

    // An invite link for a member, made in the staff panel and opened by a second browser.
    await alice.page.getByTestId("open-staff-panel").click();
    const panel = alice.page.getByTestId("staff-panel");
    await panel.getByTestId("create-invite").click();
    const inviteLink = await panel.getByTestId("invite-link").inputValue();
    expect(inviteLink).toMatch(new RegExp(`/r/${room}#invite=[A-Za-z0-9_-]{43}$`));
    await panel.getByRole("button", { name: "Close" }).click();

    const bobContext = await browser.newContext({ baseURL: urls.bob });
    const bobPage = await bobContext.newPage();
    const bob = new ChatTab(bobContext, bobPage, "bob");
    tabs.push(bob);
    await bobPage.goto(`${new URL(inviteLink).pathname}?name=bob${new URL(inviteLink).hash}`);
    await bob.expectStatus("open");
    // The invite is redeemed and leaves the address bar; the pass it gave stays in the browser.
    await expect(bobPage).toHaveURL(new RegExp(`/r/${room}\\?name=bob$`));
    await expect(alice.members).toContainText("bob");

    // The owner appoints bob moderator from the member list.
    await memberMenu(alice, "bob").click();
    await alice.page.getByRole("menuitem", { name: "Make moderator" }).click();
    await expect(bob.members.locator("li", { hasText: "bob" }).getByTestId("role-badge")).toHaveAttribute("data-role", "moderator");
    await expect(bob.page.getByTestId("open-staff-panel")).toBeVisible();

    // A third browser without an invite is refused, and told why.
    const stranger = await browser.newContext({ baseURL: urls.eve });
    const strangerPage = await stranger.newPage();
    tabs.push(new ChatTab(stranger, strangerPage, "eve"));
    await strangerPage.goto(`/r/${room}?name=eve`);
    await expect(strangerPage.getByTestId("room-removed")).toHaveAttribute("data-reason", "forbidden");
    await expect(alice.members).not.toContainText("eve");

    // A spammer (carol, invited as a member) writes; a fourth tab (dave) goes offline meanwhile.
    await alice.page.getByTestId("open-staff-panel").click();
    await panel.getByTestId("create-invite").click();
    const carolInvite = new URL(await panel.getByTestId("invite-link").inputValue());
    await panel.getByTestId("create-invite").click();
    const daveInvite = new URL(await panel.getByTestId("invite-link").inputValue());
    await panel.getByRole("button", { name: "Close" }).click();
    const carolContext = await browser.newContext({ baseURL: urls.carol });
    const carol = new ChatTab(carolContext, await carolContext.newPage(), "carol");
    tabs.push(carol);
    await carol.page.goto(`${carolInvite.pathname}?name=carol${carolInvite.hash}`);
    await carol.expectStatus("open");
    const daveContext = await browser.newContext({ baseURL: urls.dave });
    const dave = new ChatTab(daveContext, await daveContext.newPage(), "dave");
    tabs.push(dave);
    await dave.page.goto(`${daveInvite.pathname}?name=dave${daveInvite.hash}`);
    await dave.expectStatus("open");

    await carol.send("buy now spam-1");
    await expect(dave.messages.filter({ hasText: "spam-1" })).toHaveCount(1);
    await dave.context.setOffline(true);
    await dave.expectStatus("reconnecting");

    // The moderator mutes carol for 10 minutes: her composer closes and says why.
    await memberMenu(bob, "carol").click();
    await bob.page.getByRole("menuitem", { name: "Mute for 10 minutes" }).click();
    await expect(carol.page.getByTestId("composer-blocked")).toHaveAttribute("data-kind", "muted");
    await expect(carol.input).toBeDisabled();

    // Then bans her: her tab loses the room, with a notice.
    await memberMenu(bob, "carol").click();
    await bob.page.getByRole("menuitem", { name: "Ban…" }).click();
    await bob.page.getByTestId("confirm-ban").click();
    await expect(carol.page.getByTestId("room-removed")).toHaveAttribute("data-reason", "banned");
    await expect(alice.members).not.toContainText("carol");

    // Dave comes back and replays the moderation exactly once: every tab shows the same lines.
    await dave.context.setOffline(false);
    await dave.expectStatus("open");
    // Joining through a member invite is presence, not moderation: it is no line of the log
    // (an invite or pass that makes someone staff is: "joined as moderator").
    const expected = [
      "alice created this private room",
      "bob is now moderator (by alice)",
      "carol was muted for 10 minutes by bob",
      "carol was banned by bob",
    ];
    for (const tab of [alice, bob, dave]) {
      await expect(tab.page.getByTestId("moderation-line").last()).toHaveText("carol was banned by bob");
      const lines = await moderationLines(tab);
      // Lines the tab joined after (a join shows the newest chats, not earlier events) are absent; the rest agree.
      expect(lines, `the moderation lines in ${tab.name}'s tab`).toEqual(expected.slice(expected.length - lines.length));
    }
    // Dave was offline for both: he has each exactly once, in order, like the tabs that saw them live.
    expect((await moderationLines(dave)).filter((line) => line.startsWith("carol was"))).toEqual(expected.slice(-2));
  } finally {
    for (const tab of tabs) await tab.close();
  }
}
