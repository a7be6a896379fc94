import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { StartedServer } from "../support/start-server";
import { type JoinOptions, TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";
import { waitUntil } from "../support/wait-until";

const nodes = useClusterNodes<TestClient>({ database: "presence" });
let a: StartedServer;
let b: StartedServer;
const clients: TestClient[] = [];
/**
 * A bound for the waits on the other node, not a speed target: presence passes through PostgreSQL
 * and Redis first, which beside a CI run took over the client's default 5 s (look-alike-names, run 76).
 */
const ACROSS_NODES = { timeoutMs: 20_000 };

beforeAll(async () => {
  [a, b] = await nodes.startTwo({ PRESENCE_GRACE_MS: "100" });
});

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
});

async function join(server: StartedServer, options: JoinOptions) {
  const client = await TestClient.join(server.wsUrl, options);
  clients.push(client);
  return client;
}

async function rooms(server: StartedServer) {
  return (await (await fetch(`${server.url}/api/rooms`)).json()) as { rooms: Array<{ name: string; memberCount: number }> };
}

describe("presence across nodes", () => {
  it("lists members of both nodes, announces joins and leaves across them, and counts the room cluster-wide", async () => {
    const alice = await join(a, { room: "hall", name: "alice" });
    const bob = await join(b, { room: "hall", name: "bob" });
    expect(bob.joined.memberCount).toBe(2);
    expect(bob.joined.members).toEqual(expect.arrayContaining([alice.joined.you, bob.joined.you]));

    const joined = await alice.waitFor(
      (frame) => frame.type === "system" && frame.joined.some((user) => user.id === bob.joined.you.id),
      ACROSS_NODES,
    );
    expect(joined).toMatchObject({ type: "system", room: "hall", memberCount: 2 });
    expect(await rooms(a)).toEqual({ rooms: [{ name: "hall", memberCount: 2 }] });
    expect(await rooms(b)).toEqual({ rooms: [{ name: "hall", memberCount: 2 }] });

    await bob.close();
    const left = await alice.waitFor(
      (frame) => frame.type === "system" && frame.left.some((user) => user.id === bob.joined.you.id),
      ACROSS_NODES,
    );
    expect(left).toMatchObject({ memberCount: 1 });
    expect(await rooms(b)).toEqual({ rooms: [{ name: "hall", memberCount: 1 }] });
  });

  it("shows a typist to the members of the other node too, start and stop, never to the typist", async () => {
    const alice = await join(a, { room: "typing", name: "alice" });
    const bob = await join(b, { room: "typing", name: "bob" });
    const carol = await join(b, { room: "typing", name: "carol" });
    bob.send({ type: "typing", room: "typing", active: true });
    const expected = { type: "typing", room: "typing", user: bob.joined.you, active: true };
    expect(await alice.waitForType("typing")).toEqual(expected);
    expect(await carol.waitForType("typing")).toEqual(expected);
    bob.send({ type: "typing", room: "typing", active: false });
    for (const watcher of [alice, carol]) await watcher.waitFor((frame) => frame.type === "typing" && !frame.active);
    // And the other way round, from node A to node B.
    alice.send({ type: "typing", room: "typing", active: true });
    await bob.waitFor((frame) => frame.type === "typing" && frame.user.id === alice.joined.you.id && frame.active);
    bob.send({ type: "ping" });
    await bob.waitForType("pong");
    expect(bob.ofType("typing").filter((frame) => frame.user.id === bob.joined.you.id)).toEqual([]);
  });

  it("keeps names unique across nodes, case-insensitively, for joins and renames", async () => {
    const first = await join(a, { room: "names", name: "carol" });
    const second = await join(b, { room: "names", name: "Carol" });
    expect(first.joined.you.name).toBe("carol");
    expect(second.joined.you.name).toBe("Carol (2)");

    const dave = await join(b, { room: "names", name: "dave" });
    // A rename inside the system-frame window is folded into the join; wait until the join went out.
    await first.waitFor((frame) => frame.type === "system" && frame.joined.some((user) => user.id === dave.joined.you.id), ACROSS_NODES);
    dave.send({ type: "rename", name: "CAROL" });
    const refused = await dave.waitForType("error");
    expect(refused).toMatchObject({ code: "name_taken", room: "names" });

    dave.send({ type: "rename", name: "erin" });
    const renamed = await first.waitFor(
      (frame) => frame.type === "system" && frame.renamed.some((entry) => entry.user.id === dave.joined.you.id),
      ACROSS_NODES,
    );
    expect(renamed).toMatchObject({ renamed: [{ user: { id: dave.joined.you.id, name: "erin" }, previousName: "dave" }] });
    // The old name is free again, on the other node too.
    const another = await join(a, { room: "names", name: "dave" });
    expect(another.joined.you.name).toBe("dave");
  });

  it("one user on both nodes counts once and stays while either connection remains", async () => {
    const watcher = await join(a, { room: "twice", name: "watcher" });
    const onA = await join(a, { room: "twice", name: "frank" });
    // The watcher is told frank arrived before he leaves: a join and a leave in one coalescing
    // window are told as nothing (presence-window.ts), and the last wait below would never end.
    await watcher.waitFor((frame) => frame.type === "system" && frame.joined.some((user) => user.id === onA.joined.you.id));
    // One connection per session holds per node only: node B does not close frank's connection on A.
    const onB = await join(b, { room: "twice", session: onA.ready.session });
    expect(onB.joined.you).toEqual(onA.joined.you);
    expect(onB.joined.memberCount).toBe(2);

    // The cluster's record that frank is on node A.
    const onNodeA = async () =>
      (await nodes.redis.command("HEXISTS", "chat:room:twice:members", `${a.app.backend.nodeId}|${onA.joined.you.id}`)).trim();
    expect(await onNodeA()).toBe("1");
    await onA.close();
    // Node A's grace period runs out and it records in the cluster that frank left node A; yet
    // nobody left: frank is still on node B.
    await waitUntil(async () => (await onNodeA()) === "0", { what: "node A to record the departure" });
    expect(watcher.ofType("system").filter((frame) => frame.left.length > 0)).toEqual([]);
    expect(await rooms(a)).toEqual({ rooms: [{ name: "twice", memberCount: 2 }] });

    await onB.close();
    const left = await watcher.waitFor(
      (frame) => frame.type === "system" && frame.left.some((user) => user.id === onA.joined.you.id),
      ACROSS_NODES,
    );
    expect(left).toMatchObject({ memberCount: 1 });
  });
});
