// [4/6] The browser story on two nodes sharing one PostgreSQL and one Redis (support/moderation-story.ts):
// alice and carol on node A, bob, eve and dave on node B. The owner's invites, bob's promotion,
// the refusal, the mute and the ban all cross nodes: the ban takes carol's tab off node A's room
// at once, and dave, offline on node B meanwhile, replays the same log.
import { test } from "@playwright/test";
import { type ClusterStores, startClusterStores, startRegisteredNode } from "./support/cluster";
import { privateRoomStory } from "./support/moderation-story";
import type { ServerProcess } from "./support/server";

let stores: ClusterStores | undefined;
let nodeA: ServerProcess | undefined;
let nodeB: ServerProcess | undefined;

test.beforeAll(async () => {
  stores = await startClusterStores("e2e_moderation");
  ({ node: nodeA } = await startRegisteredNode(stores));
  ({ node: nodeB } = await startRegisteredNode(stores));
});

test.afterAll(async () => {
  await Promise.allSettled([nodeA?.dispose(), nodeB?.dispose()]);
  await stores?.stop();
});

test("on two nodes with PostgreSQL and Redis: the private room, the moderator, the refusal, the mute and the ban reach every tab", async ({
  browser,
}) => {
  const a = nodeA?.url ?? "";
  const b = nodeB?.url ?? "";
  await privateRoomStory(browser, { alice: a, bob: b, eve: b, carol: a, dave: b });
});
