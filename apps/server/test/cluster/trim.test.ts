import { randomBytes } from "node:crypto";
import type { User } from "@chatroom/protocol";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { RedisBackend } from "../../src/backend/redis/redis-backend";
import { changesIn } from "../contract/append-helpers";
import { type RedisProcess, startRedis } from "../support/redis-process";

let redis: RedisProcess;
let backend: RedisBackend | undefined;

beforeAll(async () => {
  redis = await startRedis({ persistence: "none" });
});

afterEach(async () => {
  await backend?.close();
  backend = undefined;
});

afterAll(async () => {
  await redis?.stop();
});

const alice: User = { id: "u_alice", name: "alice" };
const bob: User = { id: "u_bob", name: "bob" };

describe("Redis keeps the newest events of each room (REDIS_STREAM_MAXLEN)", () => {
  it("trims the oldest events with their texts, states and reactors; what is trimmed reads as not there", async () => {
    const keyPrefix = `trim${randomBytes(4).toString("hex")}`;
    backend = await RedisBackend.connect({ nodeId: "trim", url: redis.url, keyPrefix, streamMaxLen: 5 });
    const r = changesIn(backend, "r");
    await backend.memberships.join(bob.id, "r", { maxRooms: 50 });
    for (let i = 1; i <= 3; i++) await r.chat(alice, `old ${i}`);
    await r.react(bob, 1, "👍");
    await r.edit(alice, 2, "old 2, edited");
    for (let i = 6; i <= 8; i++) await r.chat(alice, `new ${i}`);
    const { messages } = backend;
    expect(await messages.latestSeq("r")).toBe(8);

    // Events 1 to 3 are gone; 4 and 5 (a reaction to 1, an edit of 2) stay, as events.
    const resumed = await messages.range("r", { after: 0, upTo: 8, limit: 500 });
    expect(resumed.messages.map((event) => [event.seq, event.type])).toEqual([
      [4, "reaction"],
      [5, "edit"],
      [6, "chat"],
      [7, "chat"],
      [8, "chat"],
    ]);
    expect(resumed.complete).toBe(true);
    expect((await messages.before("r", 9, 50)).messages.map((chat) => chat.seq)).toEqual([6, 7, 8]);
    expect(await messages.latestChats("r", 8, 50)).toMatchObject({ complete: true });
    // A trimmed chat cannot be changed or replied to.
    expect(await r.append(alice, { kind: "edit", target: 2, text: "too old" })).toMatchObject({ ok: false, code: "not_found" });
    expect(await r.append(bob, { kind: "chat", text: "re", replyTo: 1 })).toMatchObject({ ok: false, code: "not_found" });
    // Unread counts what is kept.
    expect(await backend.memberships.list(bob.id)).toEqual([
      { room: "r", latestSeq: 8, readSeq: 0, unread: 3, unreadMentions: 0, notify: "mentions" },
    ]);
    // Nothing of the trimmed events is left in Redis: their texts, states and reactors went with them.
    const key = (name: string) => `${keyPrefix}:room:r:${name}`;
    expect((await redis.command("HKEYS", key("texts"))).split("\n").sort()).toEqual(["5", "6", "7", "8"]);
    expect((await redis.command("HKEYS", key("chats"))).split("\n").sort()).toEqual(["6", "7", "8"]);
    expect(await redis.command("EXISTS", key("reactors:1"))).toBe("0");
    expect(await redis.command("GET", key("floor"))).toBe("4");
  });
});
