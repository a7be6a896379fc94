// [1/6] The seed's main flow in real browsers: several participants, fan-out in one order, presence,
// and surviving a server restart.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";

const NAMES = ["alice", "bob", "carol"] as const;

test("three tabs chat: everyone sees every message in the same order with the right sender, plus join and leave lines", async ({
  browser,
  baseURL,
}) => {
  const room = uniqueRoom("three");
  const url = baseURL ?? "";
  const tabs: ChatTab[] = [];
  try {
    // Joined one after another, so each earlier tab sees the later ones arrive.
    for (const name of NAMES) tabs.push(await ChatTab.open(browser, url, room, name));
    const [alice, bob, carol] = tabs as [ChatTab, ChatTab, ChatTab];

    for (const tab of tabs) {
      await expect(tab.page.getByTestId("member-list")).toContainText(tab.name);
    }
    await expect(alice.events.filter({ hasText: "bob joined" })).toHaveCount(1);
    await expect(alice.events.filter({ hasText: "carol joined" })).toHaveCount(1);
    await expect(bob.events.filter({ hasText: "carol joined" })).toHaveCount(1);
    for (const tab of tabs) {
      for (const name of NAMES) await expect(tab.page.getByTestId("member-list")).toContainText(name);
    }

    // Interleaved senders, each message with a token no other message contains.
    const sent: Array<{ token: string; from: string }> = [];
    for (let round = 1; round <= 3; round++) {
      for (const tab of tabs) {
        const token = `msg-${tab.name}-${round}`;
        await tab.send(`hello from ${tab.name}, ${token}`);
        sent.push({ token, from: tab.name });
      }
    }

    for (const tab of tabs) await expect(tab.messages).toHaveCount(sent.length);
    const transcripts = await Promise.all(tabs.map((tab) => tab.transcript()));
    const reference = transcripts[0] ?? [];
    for (const transcript of transcripts) {
      expect(transcript.map(({ seq, from }) => ({ seq, from }))).toEqual(reference.map(({ seq, from }) => ({ seq, from })));
    }
    // seq order without gaps, and each message under the name of the tab that typed it.
    expect(reference.map((line) => line.seq)).toEqual(reference.map((_, index) => (reference[0]?.seq ?? 0) + index));
    for (const transcript of transcripts) {
      const order = sent.map(({ token }) => transcript.findIndex((line) => line.text.includes(token)));
      expect(order).toEqual(sent.map((_, index) => index));
      for (const [index, { from }] of sent.entries()) expect(transcript[index]?.from).toBe(from);
    }
    for (const tab of tabs) await expect(tab.outbox).toHaveCount(0);

    // Leaving is announced once the presence grace period is over.
    await carol.close();
    tabs.pop();
    await expect(alice.events.filter({ hasText: "carol left" })).toHaveCount(1, { timeout: 20_000 });
    await expect(bob.events.filter({ hasText: "carol left" })).toHaveCount(1, { timeout: 20_000 });
    await expect(alice.page.getByTestId("member-list")).not.toContainText("carol");
  } finally {
    await Promise.all(tabs.map((tab) => tab.close()));
  }
});

test("stopping the server shows reconnecting in every tab, and restarting it brings every tab back to open", async ({
  browser,
  ownServer,
}) => {
  const room = uniqueRoom("restart");
  const tabs: ChatTab[] = [];
  try {
    for (const name of NAMES) tabs.push(await ChatTab.open(browser, ownServer.url, room, name));

    await ownServer.stop("SIGTERM");
    for (const tab of tabs) await tab.expectStatus("reconnecting");

    await ownServer.start();
    // The client's backoff is capped at 10 s, so every tab is back well within this.
    for (const tab of tabs) await tab.expectStatus("open", 30_000);

    // And the room works again, for everyone.
    const [alice] = tabs as [ChatTab, ...ChatTab[]];
    await alice.send("back-after-restart");
    for (const tab of tabs) await expect(tab.messagesWith("back-after-restart")).toHaveCount(1);
  } finally {
    await Promise.all(tabs.map((tab) => tab.close()));
  }
});
