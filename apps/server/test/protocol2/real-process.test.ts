import type { ServerFrameOf } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { TestClient } from "../support/test-client";
import { useCleanup } from "../support/use-cleanup";

const cleanup = useCleanup();

async function chatAndAck(client: TestClient, room: string, clientMsgId: string): Promise<number> {
  const from = client.frames.length;
  client.chat(room, `text of ${clientMsgId}`, clientMsgId);
  const ack = await client.waitFor((frame): frame is ServerFrameOf<"ack"> => frame.type === "ack" && frame.clientMsgId === clientMsgId, {
    from,
  });
  return ack.seq;
}

describe("the real server process", () => {
  it("memberships and read markers survive a restart (SIGTERM) and a kill -9 of the process (SQLite)", async () => {
    const env = await cleanup.serverEnv();
    const first = await cleanup.spawnServer(env);
    const alice = cleanup.track(await TestClient.open(first.wsUrl, { name: "alice" }));
    const bob = cleanup.track(await TestClient.open(first.wsUrl, { name: "bob" }));
    for (const client of [alice, bob]) {
      await client.join("north");
      await client.join("south");
    }
    for (const id of ["b1", "b2", "b3"]) await chatAndAck(bob, "north", id);
    await chatAndAck(alice, "north", "a1");
    await chatAndAck(bob, "south", "b4");
    alice.send({ type: "read", room: "north", seq: 2 });
    // The read marker shares the group commit with a later chat: once that chat is acked, the marker is stored too.
    await chatAndAck(alice, "south", "a2");
    const session = alice.ready.session;
    const expected = [
      // north: bob 1-3, alice 4; read up to 2: bob's 3 is unread.
      { room: "north", latestSeq: 4, readSeq: 2, unread: 1 },
      // south: bob 1, alice 2; joined at 0, nothing read: bob's 1 is unread.
      { room: "south", latestSeq: 2, readSeq: 0, unread: 1 },
    ];

    await first.kill("SIGTERM");
    const second = await cleanup.spawnServer(env);
    const afterRestart = cleanup.track(await TestClient.open(second.wsUrl, { session }));
    expect(afterRestart.ready.rooms).toEqual(expected);
    await afterRestart.join("north");
    afterRestart.send({ type: "read", room: "north", seq: 4 });
    await chatAndAck(afterRestart, "north", "a3");

    await second.kill("SIGKILL");
    const third = await cleanup.spawnServer(env);
    const afterKill = cleanup.track(await TestClient.open(third.wsUrl, { session }));
    expect(afterKill.ready.you).toEqual(alice.ready.you);
    expect(afterKill.ready.rooms).toEqual([{ room: "north", latestSeq: 5, readSeq: 4, unread: 0 }, expected[1]]);
    expect((await afterKill.join("south")).readSeq).toBe(0);
  });

  it("at LOG_LEVEL=trace, connecting, resuming and renaming write no session token to the output", async () => {
    const server = await cleanup.spawnServer(await cleanup.serverEnv({ LOG_LEVEL: "trace" }));
    const first = cleanup.track(await TestClient.join(server.wsUrl, { name: "secretive", room: "quiet" }));
    const session = first.ready.session;
    first.terminate();
    const resumed = cleanup.track(await TestClient.join(server.wsUrl, { session, room: "quiet", since: 0 }));
    resumed.send({ type: "rename", name: "renamed" });
    await resumed.waitFor((frame) => frame.type === "system" && frame.renamed.length > 0, { timeoutMs: 10_000 });
    await chatAndAck(resumed, "quiet", "c1");
    const output = server.output();
    // The trace log did record the traffic (so the check below looks at something).
    expect(output.stdout).toContain("/ws");
    expect(output.stdout).not.toContain(session);
    expect(output.stderr).not.toContain(session);
  });
});
