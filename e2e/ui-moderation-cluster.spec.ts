// [4/6] The browser story on two nodes sharing one Redis (support/moderation-story.ts):
// alice and carol on node A, bob, eve and dave on node B. The owner's invites, bob's promotion,
// the refusal, the mute and the ban all cross nodes: the ban takes carol's tab off node A's room
// at once, and dave, offline on node B meanwhile, replays the same log.
import { test } from "@playwright/test";
import { type RedisProcess, startRedis } from "../apps/server/test/support/redis-process";
import { startRegisteredNode } from "./support/cluster";
import { privateRoomStory } from "./support/moderation-story";
import type { ServerProcess } from "./support/server";

let redis: RedisProcess | undefined;
let nodeA: ServerProcess | undefined;
let nodeB: ServerProcess | undefined;

test.beforeAll(async () => {
  redis = await startRedis({ persistence: "none" });
  ({ node: nodeA } = await startRegisteredNode(redis));
  ({ node: nodeB } = await startRegisteredNode(redis));
});

test.afterAll(async () => {
  await Promise.allSettled([nodeA?.dispose(), nodeB?.dispose()]);
  await redis?.stop();
});

test("on two nodes with Redis: the private room, the moderator, the refusal, the mute and the ban reach every tab", async ({ browser }) => {
  const a = nodeA?.url ?? "";
  const b = nodeB?.url ?? "";
  await privateRoomStory(browser, { alice: a, bob: b, eve: b, carol: a, dave: b });
});
