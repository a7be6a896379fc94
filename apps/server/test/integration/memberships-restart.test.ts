// Memberships and read markers live in the store, not in a connection: the real server process on
// SQLite, stopped (SIGTERM) or killed (kill -9) and started again, reports the same rooms, read
// markers and exact unread counts in `ready`.
import type { ReadyFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { ServerProcess } from "../support/server-process";
import { onlyChats, TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";
import { waitUntil } from "../support/wait-until";

const cleanup = useCleanup();

/** A new connection of `session` (replacing the last one): its ready. */
async function readyOf(server: ServerProcess, session: string): Promise<ReadyFrame> {
  const client = cleanup.track(await TestClient.open(server.wsUrl, { session }));
  return client.ready;
}

/** Sends one chat and waits for its ack, so the seqs below are known exactly. */
async function say(client: TestClient, room: string, clientMsgId: string): Promise<number> {
  const from = client.frames.length;
  client.chat(room, `${clientMsgId} says hi`, clientMsgId);
  const ack = await client.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === clientMsgId, { from });
  return ack.type === "ack" ? ack.seq : -1;
}

describe.each([
  ["a graceful stop (SIGTERM)", "SIGTERM"],
  ["kill -9", "SIGKILL"],
] as const)("memberships and read markers across %s of the real server on SQLite", (_label, signal) => {
  it("ready after the restart reports the rooms, read markers and exact unread counts; joined carries readSeq", async () => {
    const env = await cleanup.serverEnv({ HISTORY: "sqlite", RATE_BURST: "100", RATE_PER_SECOND: "100" });
    const first = await cleanup.spawnServer(env);

    const alice = cleanup.track(await TestClient.join(first.wsUrl, { room: "alpha", name: "alice" }));
    for (const room of ["beta", "gamma", "delta"]) await alice.join(room);
    const bob = cleanup.track(await TestClient.join(first.wsUrl, { room: "alpha", name: "bob" }));
    await bob.join("beta");
    // alpha: bob 1, alice 2, bob 3, bob 4, alice 5, bob 6, bob 7; beta: bob 1..3.
    const alphaSeqs = [];
    for (const [who, id] of [
      [bob, "b1"],
      [alice, "a1"],
      [bob, "b2"],
      [bob, "b3"],
      [alice, "a2"],
      [bob, "b4"],
      [bob, "b5"],
    ] as const) {
      alphaSeqs.push(await say(who, "alpha", id));
    }
    expect(alphaSeqs).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const id of ["bb1", "bb2", "bb3"]) await say(bob, "beta", id);
    await alice.leave("delta");
    alice.send({ type: "read", room: "alpha", seq: 3 });
    alice.send({ type: "read", room: "gamma", seq: 0 });
    alice.send({ type: "ping", t: 1 });
    await alice.waitForType("pong");

    const expectedAlice = [
      // Others' chats after seq 3: 4, 6 and 7 (5 is alice's own).
      { room: "alpha", latestSeq: 7, readSeq: 3, unread: 3, unreadMentions: 0, notify: "mentions" },
      // Joined when the room was empty: all three of bob's are unread.
      { room: "beta", latestSeq: 3, readSeq: 0, unread: 3, unreadMentions: 0, notify: "mentions" },
      { room: "gamma", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
    ];
    const expectedBob = [
      // Joined alpha at seq 0: alice's two chats are unread, his own are not.
      { room: "alpha", latestSeq: 7, readSeq: 0, unread: 2, unreadMentions: 0, notify: "mentions" },
      { room: "beta", latestSeq: 3, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
    ];
    // The read marker has no answer: it is stored once a later ready shows it.
    let before: ReadyFrame | undefined;
    await waitUntil(
      async () => {
        before = await readyOf(first, alice.ready.session);
        return before.rooms[0]?.readSeq === 3;
      },
      { what: "alice's read marker to be stored", intervalMs: 50, describe: () => JSON.stringify(before?.rooms) },
    );
    expect(before?.rooms).toEqual(expectedAlice);

    const status = await first.kill(signal);
    expect(status).toEqual(signal === "SIGKILL" ? { code: null, signal: "SIGKILL" } : { code: 0, signal: null });
    const second = await cleanup.spawnServer(env);

    const aliceBack = cleanup.track(await TestClient.open(second.wsUrl, { session: alice.ready.session }));
    expect(aliceBack.ready.you).toEqual(alice.ready.you);
    expect(aliceBack.ready.rooms).toEqual(expectedAlice);
    expect((await readyOf(second, bob.ready.session)).rooms).toEqual(expectedBob);

    // joined carries the stored marker, and the messages it counted are the room's.
    const alpha = await aliceBack.join("alpha", { since: 0 });
    expect(alpha).toMatchObject({ room: "alpha", readSeq: 3, latestSeq: 7, complete: true });
    expect(
      onlyChats(alpha.messages).filter((message) => message.seq > alpha.readSeq && message.from.id !== alice.ready.you.id),
    ).toHaveLength(3);
    // Reading on after the restart moves the marker on, and the next ready says so.
    aliceBack.send({ type: "read", room: "alpha", seq: 6 });
    aliceBack.send({ type: "ping", t: 2 });
    await aliceBack.waitForType("pong");
    let after: ReadyFrame | undefined;
    await waitUntil(
      async () => {
        after = await readyOf(second, alice.ready.session);
        return after.rooms[0]?.readSeq === 6;
      },
      { what: "the new read marker to be stored", intervalMs: 50, describe: () => JSON.stringify(after?.rooms) },
    );
    expect(after?.rooms[0]).toEqual({ room: "alpha", latestSeq: 7, readSeq: 6, unread: 1, unreadMentions: 0, notify: "mentions" });
  });
});
