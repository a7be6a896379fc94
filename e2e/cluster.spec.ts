// [6/6] Two nodes on one PostgreSQL and one Redis: a tab on each chats with the other; one node is killed, its tab
// fails over to the other node through the test's load balancer and resumes with nothing lost,
// nothing twice, the same name, and messages typed during the outage delivered exactly once.
import { expect, test } from "@playwright/test";
import { TestClient } from "../apps/server/test/support/test-client";
import { ChatTab, uniqueRoom } from "./support/chat-page";
import {
  type ClusterStores,
  crashNodeKeepingRegistration,
  expireNode,
  startClusterStores,
  startRegisteredNode,
  TcpProxy,
} from "./support/cluster";
import type { ServerProcess } from "./support/server";

// Node A's expiry is driven by the test (see crashNodeKeepingRegistration), so the TTL only sets
// how soon node B's heartbeat (every TTL / 3) reaps it once the test expires it.
const NODE_TTL_MS = 3_000;
const NODE_ENV = { REDIS_NODE_TTL_MS: String(NODE_TTL_MS), PRESENCE_GRACE_MS: "1000" };

// Two browsers, two nodes, a crash and a failover: a bound for a broken run on a busy machine,
// not a measure of speed (every step waits for its condition).
test.setTimeout(180_000);

let stores: ClusterStores | undefined;
let nodeA: ServerProcess | undefined;
let nodeAId: string | undefined;
let nodeB: ServerProcess | undefined;
let proxy: TcpProxy | undefined;

test.beforeAll(async () => {
  stores = await startClusterStores("e2e_cluster");
  // One after the other, so each registration in Redis is known to belong to its node.
  ({ node: nodeA, nodeId: nodeAId } = await startRegisteredNode(stores, NODE_ENV));
  ({ node: nodeB } = await startRegisteredNode(stores, NODE_ENV));
  proxy = await TcpProxy.start(nodeA.port);
});

test.afterAll(async () => {
  // Each step on its own, so one failure cannot leave a process behind.
  await proxy?.close().catch(() => undefined);
  await Promise.allSettled([nodeA?.dispose(), nodeB?.dispose()]);
  await stores?.stop();
});

/** Every message of the test, in the order it must end up in (no token contains another). */
const TOKENS = [
  "a-before-1",
  "b-before-1",
  "a-before-2",
  "b-before-2",
  "b-during-outage",
  "a-offline-1",
  "a-offline-2",
  "a-after-reap",
  "b-end-marker",
];

/** The parts of a transcript both tabs must agree on: seq, sender and the test's token. */
async function lines(tab: ChatTab): Promise<Array<{ seq: number; from: string; token: string }>> {
  return (await tab.transcript()).map(({ seq, from, text }) => ({
    seq,
    from,
    token: TOKENS.find((token) => text.includes(token)) ?? text,
  }));
}

/** The member list entries whose name is exactly `name`. */
function membersNamed(tab: ChatTab, name: string) {
  return tab.members.locator("li").filter({ has: tab.page.locator(".member-name").getByText(name, { exact: true }) });
}

test("a tab whose node is killed fails over to the other node and resumes: no gap, no duplicate, same name", async ({ browser }) => {
  if (!stores || !nodeA || !nodeAId || !nodeB || !proxy) throw new Error("cluster did not start");
  const cluster = { redis: stores.redis, nodeA, nodeAId, nodeB, proxy };
  const room = uniqueRoom("cluster");
  // alice reaches node A only through the proxy (the page, hence its same-origin /ws); bob is on B.
  const alice = await ChatTab.open(browser, cluster.proxy.url, room, "alice");
  const bob = await ChatTab.open(browser, cluster.nodeB.url, room, "bob");
  try {
    for (const tab of [alice, bob]) {
      await expect(membersNamed(tab, "alice")).toHaveCount(1);
      await expect(membersNamed(tab, "bob")).toHaveCount(1);
    }
    const aliceId = await alice.members.locator("li.member-self").getAttribute("data-member-id");
    expect(aliceId).toBeTruthy();
    await expect(membersNamed(bob, "alice")).toHaveAttribute("data-member-id", aliceId ?? "");

    // Across the nodes, each message waits until the other tab has it, so the order is known.
    const exchange: Array<[ChatTab, ChatTab, string]> = [
      [alice, bob, "a-before-1"],
      [bob, alice, "b-before-1"],
      [alice, bob, "a-before-2"],
      [bob, alice, "b-before-2"],
    ];
    for (const [from, to, token] of exchange) {
      await from.send(token);
      await expect(to.messagesWith(token)).toHaveAttribute("data-from", from.name);
    }
    expect(await lines(alice)).toEqual([
      { seq: 1, from: "alice", token: "a-before-1" },
      { seq: 2, from: "bob", token: "b-before-1" },
      { seq: 3, from: "alice", token: "a-before-2" },
      { seq: 4, from: "bob", token: "b-before-2" },
    ]);
    expect(await lines(bob)).toEqual(await lines(alice));

    // Node A crashes. The proxy still points at it, as a load balancer does until its health
    // check notices, so alice's retries fail for a while. Its registration in Redis stays until
    // the test expires it below: the reaper must meet alice back on node B, however slow this
    // machine is.
    await crashNodeKeepingRegistration(cluster.redis, cluster.nodeA, cluster.nodeAId);
    await alice.expectStatus("reconnecting");
    await bob.expectStatus("open");

    // bob keeps talking on B; alice types into her outbox.
    await bob.send("b-during-outage");
    await expect(bob.messagesWith("b-during-outage")).toHaveCount(1);
    for (const token of ["a-offline-1", "a-offline-2"]) await alice.send(token);
    await expect(alice.outbox).toHaveCount(2);
    for (const entry of await alice.outbox.all()) await expect(entry).toHaveAttribute("data-status", "pending");
    await expect(alice.messagesWith("b-during-outage")).toHaveCount(0);

    // Failover: the proxy now sends alice to node B.
    cluster.proxy.retarget(cluster.nodeB.port);
    await alice.expectStatus("open", 20_000);
    expect(await cluster.redis.command("ZCARD", "chat:nodes"), "node A is still registered when alice is back").toBe("2");

    // The outbox drains into the log, once each, in both tabs; bob's outage message reached alice.
    await expect(alice.outbox).toHaveCount(0);
    for (const tab of [alice, bob]) {
      for (const token of ["a-offline-1", "a-offline-2"]) await expect(tab.messagesWith(token)).toHaveAttribute("data-from", "alice");
      await expect(tab.messagesWith("b-during-outage")).toHaveAttribute("data-from", "bob");
    }
    // Same session on the new node: the same user, under the same name, listed once in each tab.
    await expect(alice.members.locator("li.member-self")).toHaveAttribute("data-member-id", aliceId ?? "");
    await expect(alice.members.locator("li.member-self .member-name")).toHaveText("alice");
    for (const tab of [alice, bob]) await expect(membersNamed(tab, "alice")).toHaveCount(1);

    // Now both tabs are on B. Node A's registration expires, and B's reaper declares it dead:
    // alice is on B too, so she must stay. The timeout only bounds a broken run.
    await expireNode(cluster.redis, cluster.nodeAId);
    await expect.poll(() => cluster.redis.command("ZCARD", "chat:nodes"), { timeout: 60_000 }).toBe("1");
    await alice.send("a-after-reap");
    await bob.send("b-end-marker");
    for (const tab of [alice, bob]) await expect(tab.messagesWith("b-end-marker")).toHaveCount(1);

    const expected = TOKENS;
    for (const tab of [alice, bob]) {
      const transcript = await lines(tab);
      // Contiguous from 1, each message once, and the outbox kept alice's order.
      expect(transcript.map((line) => line.seq)).toEqual(expected.map((_, index) => index + 1));
      expect(transcript.map((line) => line.token)).toEqual(expected);
      for (const token of expected) await expect(tab.messagesWith(token)).toHaveCount(1);
    }
    expect(await lines(bob)).toEqual(await lines(alice));

    // Nobody left: not in the log, not in the member lists, not in the cluster-wide count.
    for (const tab of [alice, bob]) {
      await expect(tab.page.locator("[data-testid=event-line][data-kind=left]")).toHaveCount(0);
      await expect(membersNamed(tab, "alice")).toHaveCount(1);
      await expect(membersNamed(tab, "alice")).toHaveAttribute("data-member-id", aliceId ?? "");
    }
    const listing = (await (await fetch(`${cluster.nodeB.url}/api/rooms`)).json()) as {
      rooms: Array<{ name: string; memberCount: number }>;
    };
    expect(listing.rooms.find((entry) => entry.name === room)?.memberCount).toBe(2);

    // A newcomer asking for "alice" finds the name still held by her, and her in the room.
    const newcomer = await TestClient.join(`${cluster.nodeB.url.replace(/^http/, "ws")}/ws`, { room, name: "alice" });
    try {
      expect(newcomer.joined.you.name).toBe("alice (2)");
      expect(newcomer.joined.members.filter((member) => member.name === "alice")).toEqual([{ id: aliceId, name: "alice" }]);
      expect(newcomer.invalid).toEqual([]);
    } finally {
      await newcomer.close();
    }
  } finally {
    await alice.close();
    await bob.close();
  }
});
