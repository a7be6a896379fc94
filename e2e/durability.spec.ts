// [2/6] Nothing lost: a reload keeps the log and the name, messages typed while the server is down
// are delivered exactly once after it comes back, and old history pages in on scroll.
import { ChatTab, uniqueRoom } from "./support/chat-page";
import { expect, test } from "./support/server";
import { seedMessages } from "./support/ws-client";

test("a reloaded tab keeps its history and its own name", async ({ browser, baseURL }) => {
  const room = uniqueRoom("reload");
  const url = baseURL ?? "";
  const other = await ChatTab.open(browser, url, room, "erin");
  // The newcomer's path: no name in the URL, so the name dialog asks for one.
  const dora = await ChatTab.openWithDialog(browser, url, room, "dora");
  const page = dora.page;
  try {
    await dora.send("before-reload-1");
    await other.send("before-reload-2");
    await dora.send("before-reload-3");
    await expect(dora.messages).toHaveCount(3);
    const before = await dora.transcript();

    await page.reload();
    await expect(page.locator("#name-input")).toHaveCount(0);
    await dora.expectStatus("open");
    // The same log, once each, and the same name: the session was resumed, not replaced.
    await expect(dora.messages).toHaveCount(3);
    expect((await dora.transcript()).map(({ seq, from }) => ({ seq, from }))).toEqual(before.map(({ seq, from }) => ({ seq, from })));
    expect(before.map(({ from }) => from)).toEqual(["dora", "erin", "dora"]);
    await expect(page.getByTestId("member-list")).toContainText("dora");
    await expect(page.getByTestId("member-list")).not.toContainText("dora (2)");

    await dora.send("after-reload");
    await expect(other.messagesWith("after-reload")).toHaveCount(1);
    await expect(other.messagesWith("after-reload")).toHaveAttribute("data-from", "dora");
    await expect(dora.messagesWith("after-reload")).toHaveAttribute("data-from", "dora");
  } finally {
    await dora.close();
    await other.close();
  }
});

test("messages sent while the server restarts show pending, then arrive exactly once in both tabs", async ({ browser, ownServer }) => {
  const room = uniqueRoom("outbox");
  const alice = await ChatTab.open(browser, ownServer.url, room, "alice");
  const bob = await ChatTab.open(browser, ownServer.url, room, "bob");
  try {
    await alice.send("acked-before-crash");
    await expect(bob.messagesWith("acked-before-crash")).toHaveCount(1);

    // A crash, not a clean shutdown: nothing gets flushed on the way down.
    await ownServer.stop("SIGKILL");
    await alice.expectStatus("reconnecting");
    await bob.expectStatus("reconnecting");

    const tokens = ["offline-1", "offline-2", "offline-3"];
    for (const token of tokens) await alice.send(token);
    await expect(alice.outbox).toHaveCount(3);
    for (const entry of await alice.outbox.all()) await expect(entry).toHaveAttribute("data-status", "pending");

    await ownServer.start();
    await alice.expectStatus("open", 30_000);
    await bob.expectStatus("open", 30_000);

    // Sent: each one is in the log under alice's name, and nothing is left in the outbox.
    for (const tab of [alice, bob]) {
      for (const token of tokens) await expect(tab.messagesWith(token)).toHaveAttribute("data-from", "alice");
    }
    await expect(alice.outbox).toHaveCount(0);

    // A later message marks the end: a duplicate would have a lower seq, so it would be here by now.
    await bob.send("end-marker");
    for (const tab of [alice, bob]) {
      await expect(tab.messagesWith("end-marker")).toHaveCount(1);
      for (const token of [...tokens, "acked-before-crash"]) await expect(tab.messagesWith(token)).toHaveCount(1);
      const transcript = await tab.transcript();
      expect(transcript.map((line) => line.seq)).toEqual(transcript.map((_, index) => (transcript[0]?.seq ?? 0) + index));
      expect(transcript.findIndex((line) => line.text.includes("offline-1"))).toBeLessThan(
        transcript.findIndex((line) => line.text.includes("offline-3")),
      );
    }
    const senders = async (tab: ChatTab) => (await tab.transcript()).map(({ seq, from }) => ({ seq, from }));
    expect(await senders(alice)).toEqual(await senders(bob));
  } finally {
    await alice.close();
    await bob.close();
  }
});

test("scrolling to the top of a long history loads older messages and keeps the reader's place", async ({ browser, baseURL }) => {
  const room = uniqueRoom("long");
  const url = baseURL ?? "";
  const wsUrl = `${url.replace(/^http/, "ws")}/ws`;
  const seqs = await seedMessages(wsUrl, room, 300, (index) => `long history #${index}`);
  expect(seqs).toEqual(Array.from({ length: 300 }, (_, index) => index + 1));

  const reader = await ChatTab.open(browser, url, room, "reader");
  try {
    // The room's `joined` brings only the latest page. The log is virtualized: the DOM holds the
    // rows on and near the screen, so what the reader has reached is read from the rows rendered.
    await expect(reader.page.locator('[data-testid=chat-message][data-seq="300"]')).toBeInViewport();
    const rendered = async () => (await reader.transcript()).map((line) => line.seq);
    const seen = new Set(await rendered());
    expect(Math.min(...seen)).toBeGreaterThan(1);
    /** Rendered seqs in display order must be ascending and gapless: no message is missing or out of place. */
    const expectInOrder = (shown: number[]) => expect(shown).toEqual(shown.map((_, i) => (shown[0] ?? 0) + i));

    // Scroll up as a reader would, until the very first message is there.
    const oldest = reader.page.locator('[data-testid=chat-message][data-seq="1"]');
    let loadedOnce = false;
    for (let attempt = 0; attempt < 30 && (await oldest.count()) === 0; attempt++) {
      const oldestSeen = Math.min(...seen);
      await reader.log.hover();
      // Wheel again on every look, as a reader keeps scrolling: a long wheel can stop short while the
      // list lays out a page it just prepended (CI run 61, a core busy: the view stayed 7 rows down).
      await expect
        .poll(async () => {
          await reader.page.mouse.wheel(0, -50_000);
          return Math.min(...(await rendered()));
        })
        .toBeLessThan(oldestSeen);
      const shown = await rendered();
      expectInOrder(shown);
      for (const seq of shown) seen.add(seq);
      if (!loadedOnce && Math.min(...shown) < oldestSeen) {
        loadedOnce = true;
        // Older messages went in above, and the reader was not moved to them: rows are above the screen.
        await expect.poll(() => reader.log.evaluate((element) => element.scrollTop)).toBeGreaterThan(0);
      }
    }
    await expect(oldest).toHaveCount(1);
    expect((await reader.transcript())[0]?.text).toContain("long history #1");
    await expect(reader.page.getByTestId("history-edge")).toBeVisible();

    // And back down through all of it: every message is there, once, in order.
    for (let attempt = 0; attempt < 100 && Math.max(...(await rendered())) < 300; attempt++) {
      const newestSeen = Math.max(...(await rendered()));
      // Less than a screen plus the rows rendered below it, so no message is skipped between two looks.
      await reader.page.mouse.wheel(0, 900);
      await expect.poll(async () => Math.max(...(await rendered()))).toBeGreaterThan(newestSeen);
      const shown = await rendered();
      expectInOrder(shown);
      for (const seq of shown) seen.add(seq);
    }
    expect([...seen].sort((a, b) => a - b)).toEqual(seqs);
  } finally {
    await reader.close();
  }
});
