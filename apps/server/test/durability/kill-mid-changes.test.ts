import type { ChatFrame, PageEvent } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { type ChangeRequest, ResumingClient } from "../support/resuming-client";
import { comparable } from "../support/room-projection";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();
const ROOM = "changes";
const CHATS_EACH = 10;

/**
 * Each writer's changes, none of which the server may refuse whatever the interleaving: it edits
 * its own chats 1 to 7, then deletes its 7 and 8 (so 7's edit loses its text); it reacts to the
 * other's chats it never deletes (1 to 6, 9, 10), clears some of those reactions again, and replies
 * to the other's 9 and 10.
 */
function planFor(own: number[], other: number[]): Array<{ change: ChangeRequest } | { reply: number }> {
  const mine = (i: number) => own[i - 1] as number;
  const theirs = (i: number) => other[i - 1] as number;
  const plan: Array<{ change: ChangeRequest } | { reply: number }> = [];
  for (let i = 1; i <= 7; i++) plan.push({ change: { type: "edit", target: mine(i), text: `edited ${mine(i)}` } });
  for (const i of [1, 2, 3, 4, 5, 6, 9, 10]) plan.push({ change: { type: "react", target: theirs(i), emoji: "👍", on: true } });
  plan.push({ change: { type: "delete", target: mine(7) } }, { change: { type: "delete", target: mine(8) } });
  for (const i of [2, 4, 6]) plan.push({ change: { type: "react", target: theirs(i), emoji: "👍", on: false } });
  for (const i of [9, 10]) plan.push({ reply: theirs(i) }, { change: { type: "react", target: theirs(i), emoji: "🔥", on: true } });
  for (let i = 1; i <= 3; i++) plan.push({ change: { type: "edit", target: mine(i), text: `edited again ${mine(i)}` } });
  return plan;
}

/** Every event of the room, read with `after` pages from the start (joined alone is capped at WELCOME_SINCE_MAX). */
async function readEverything(client: TestClient): Promise<{ latestSeq: number; messages: PageEvent[] }> {
  const { latestSeq } = await client.join(ROOM);
  const messages: PageEvent[] = [];
  for (let hasNewer = true; hasNewer; ) {
    const from = client.frames.length;
    client.send({ type: "history", room: ROOM, after: messages.length, limit: 100 });
    const page = await client.waitForType("history", { from });
    messages.push(...page.messages);
    hasNewer = page.hasNewer === true;
  }
  expect(messages.map((event) => event.seq)).toEqual(Array.from({ length: latestSeq }, (_, i) => i + 1));
  return { latestSeq, messages };
}

describe("server killed mid-stream of changes", () => {
  it("a client away through edits, deletions and reactions, and a kill -9, catches up on each change exactly once", async () => {
    // WELCOME_SINCE_MAX below what the reader misses: its resume is incomplete and `after` pages fill it.
    const env = await cleanup.serverEnv({
      RATE_PER_SECOND: "100000",
      RATE_BURST: "100000",
      PRESENCE_GRACE_MS: "100",
      WELCOME_SINCE_MAX: "10",
    });
    const first = await cleanup.spawnServer(env);
    const writers = ["ann", "ben"].map((name) => new ResumingClient({ name, rooms: [ROOM] }));
    const reader = new ResumingClient({ name: "reader", rooms: [ROOM] });
    for (const client of [...writers, reader]) {
      cleanup.defer(() => client.disconnect());
      await client.connect(first.wsUrl);
    }
    const [ann, ben] = writers as [ResumingClient, ResumingClient];
    for (let i = 0; i < CHATS_EACH; i++) for (const writer of writers) writer.send(`${writer.name} ${i}`);
    await reader.until(() => reader.contiguousSeq() === 2 * CHATS_EACH, "every chat", 15_000);
    const seqsOf = (writer: ResumingClient) =>
      [...reader.log().values()].filter((chat) => chat.from.id === writer.userId).map((chat) => chat.seq);

    // The reader goes away; the writers change everything; the server is killed part way.
    const away = reader.connection;
    away?.terminate();
    await away?.closed;
    const plans = [planFor(seqsOf(ann), seqsOf(ben)), planFor(seqsOf(ben), seqsOf(ann))];
    const total = plans.reduce((sum, plan) => sum + plan.length, 0);
    // Random, but printed on every run and replayable: KILL_AFTER=<n> pnpm vitest run <this file>.
    const killAfter = Number(process.env.KILL_AFTER ?? 5 + Math.floor(Math.random() * (total - 10)));
    console.info(`killAfter=${killAfter} of ${total} (replay: KILL_AFTER=${killAfter} pnpm vitest run ${import.meta.filename})`);
    let sent = 0;
    let killed: Promise<unknown> | undefined;
    for (let step = 0; step < Math.max(...plans.map((plan) => plan.length)); step++) {
      for (const [index, writer] of writers.entries()) {
        const next = plans[index]?.[step];
        if (!next) continue;
        if ("reply" in next) writer.send(`${writer.name} replies to ${next.reply}`, ROOM, next.reply);
        else writer.change(ROOM, next.change);
        if (++sent === killAfter) killed = first.kill("SIGKILL");
        // Now and then a writer waits for its acks, so the kill lands with some acked and some in flight.
        if (step % 4 === 0 && !killed) await writer.until(() => writer.pending <= 2 || !writer.connected, `${writer.name}'s acks`);
      }
    }
    await killed;
    expect(first.output().stderr, `killAfter=${killAfter}`).toBe("");
    await Promise.all(writers.map((writer) => writer.connection?.closed));

    const second = await cleanup.spawnServer(env);
    for (const writer of writers) await writer.connect(second.wsUrl);
    await Promise.all(writers.map((writer) => writer.until(() => writer.pending === 0, `${writer.name}'s outbox`, 15_000)));
    await reader.connect(second.wsUrl);
    const checker = cleanup.track(await TestClient.open(second.wsUrl, { name: "checker" }));
    const everything = await readEverything(checker);
    await reader.until(() => reader.contiguousSeq() === everything.latestSeq, "the reader caught up", 15_000);
    const resumed = reader.connection as TestClient;
    expect(resumed.ofType("joined")[0]?.complete).toBe(false);
    expect(resumed.ofType("history").length).toBeGreaterThan(0);

    const context = `killAfter=${killAfter}`;
    for (const client of [...writers, reader]) expect(client.violations, `${client.name} ${context}`).toEqual([]);
    // Each change a writer asked for is stored exactly once, whatever the kill interrupted.
    const stored = everything.messages.map((event) => ("clientMsgId" in event ? event.clientMsgId : `unknown ${event.seq}`));
    expect([...stored].sort(), context).toEqual(writers.flatMap((writer) => writer.sent.map((entry) => entry.clientMsgId)).sort());
    // The reader's chats stand as the server's, each change to a chat it held applied once.
    const state = everything.messages.filter((event): event is ChatFrame => event.type === "chat");
    expect([...reader.log().values()].map(comparable), context).toEqual(state.map(comparable));
    for (const event of everything.messages) {
      if ("target" in event && event.target <= 2 * CHATS_EACH && event.seq > 2 * CHATS_EACH) {
        expect(reader.projection().applied.get(event.seq), `seq ${event.seq} ${context}`).toBe(1);
      }
    }
    // Deleted means gone: neither the deleted chats' texts nor their edits' are in the page.
    const deleted = state.filter((chat) => chat.deleted).map((chat) => chat.seq);
    expect(deleted).toHaveLength(4);
    const page = JSON.stringify(everything.messages);
    for (const seq of deleted) expect(page, context).not.toContain(`"edited ${seq}"`);
    for (const writer of writers) for (const i of [6, 7]) expect(page, context).not.toContain(`"${writer.name} ${i}"`);
    // A hang bound, not a speed target: two server processes start here, each given 20 s to
    // answer /healthz (server-process.ts), which the default 30 s could not hold; 20.9 s in CI run 75.
  }, 60_000);
});
