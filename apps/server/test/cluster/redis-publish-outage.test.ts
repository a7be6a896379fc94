// While Redis is away every stored event fails to publish (the other nodes fill the hole from
// PostgreSQL). The node says so once per outage, and once more, with the count, when publishing
// works again: a warning with a stack per event flooded the log at the rate of the chat.
import { afterAll, beforeAll, expect, it } from "vitest";
import { MemoryMessageStore } from "../../src/backend/memory/message-store";
import type { StoredEvent } from "../../src/backend/message-store";
import { RedisTraffic } from "../../src/backend/redis/redis-traffic";
import { type RedisProcess, startRedis } from "../support/redis-process";
import { waitUntil } from "../support/wait-until";

let redis: RedisProcess;
beforeAll(async () => {
  redis = await startRedis({ persistence: "none" });
});
afterAll(() => redis?.stop());

/** Real events, as a store hands them to `publish` after COMMIT. */
async function storedEvents(count: number, from: number): Promise<StoredEvent[]> {
  const store = new MemoryMessageStore({ nodeId: "n" });
  const events: StoredEvent[] = [];
  for (let i = from; i < from + count; i++) {
    const result = await store.append({
      room: "outage",
      actor: { id: "u1", name: "ann" },
      kind: "chat",
      text: `m${i}`,
      clientMsgId: `c${i}`,
    });
    if (result.ok && result.event) events.push(result.event);
  }
  return events;
}

/** Lets the publishes of this turn settle: with the offline queue off, a publish to a closed connection is refused at once. */
const settled = () => new Promise<void>((resolve) => setImmediate(resolve));

it("tells a Redis outage's failed publishes once, then once more with the count when publishing works again", async () => {
  const told: Array<{ context: string; message: string }> = [];
  const onError = (error: unknown, context: string) => told.push({ context, message: (error as Error).message });
  const traffic = await RedisTraffic.connect({ nodeId: "node-a", url: redis.url, onError });
  const aboutPublishing = () => told.filter(({ context }) => /publish/.test(context));
  try {
    await redis.crash();
    await waitUntil(async () => !(await traffic.isReady()), { what: "the node to see Redis gone" });

    traffic.publish(await storedEvents(20, 1));
    await settled();
    expect(aboutPublishing()).toEqual([
      {
        context: expect.stringMatching(/^could not publish stored events; other nodes read them from PostgreSQL/),
        message: expect.any(String),
      },
    ]);

    await redis.restart();
    await waitUntil(() => traffic.isReady(), { what: "the node to reconnect to Redis", timeoutMs: 30_000 });
    traffic.publish(await storedEvents(1, 21));
    await waitUntil(() => aboutPublishing().length === 2, { what: "the recovery to be told" });
    expect(aboutPublishing()[1]).toEqual({
      context: "publishing to Redis works again; other nodes read those events from PostgreSQL",
      message: "20 stored events were not published",
    });
  } finally {
    await traffic.close();
  }
});
