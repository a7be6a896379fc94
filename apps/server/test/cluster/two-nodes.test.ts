import { Redis } from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { logSignature, ResumingClient } from "../support/resuming-client";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";

const FAST = { RATE_PER_SECOND: "10000", RATE_BURST: "10000" };

const nodes = useClusterNodes<TestClient>({ database: "two_nodes" });
const { servers, clients: connections } = nodes;
const clients: ResumingClient[] = [];

/** Who `client` lists in `room`: its joined frame's members, then every system frame of the room applied. */
function listed(client: TestClient, room: string): Map<string, string> {
  const members = new Map<string, string>();
  for (const frame of client.frames) {
    if (frame.type === "joined" && frame.room === room) for (const user of frame.members) members.set(user.id, user.name);
    if (frame.type !== "system" || frame.room !== room) continue;
    for (const user of frame.joined) members.set(user.id, user.name);
    for (const { user } of frame.renamed) members.set(user.id, user.name);
    for (const user of frame.left) members.delete(user.id);
  }
  return members;
}

// Registered after useClusterNodes's, so it runs first: the resuming clients stop before the servers close.
afterAll(async () => {
  await Promise.all(clients.map((client) => client.stop()));
});

describe("two nodes on one PostgreSQL and one Redis", () => {
  it("gives 3 clients on each node the identical gap-free log of 500 messages sent from all of them", async () => {
    const [a, b] = await nodes.startTwo(FAST);
    expect(a.app.backend.kind).toBe("postgres");
    expect(a.app.backend.nodeId).not.toBe(b.app.backend.nodeId);

    for (const [node, server] of [
      ["a", a],
      ["b", b],
    ] as const) {
      for (let i = 0; i < 3; i++) clients.push(new ResumingClient({ endpoints: [server.wsUrl], rooms: ["mesh"], name: `${node}${i}` }));
    }
    await Promise.all(clients.map((client) => client.start()));

    const total = 500;
    for (let i = 0; i < total; i++) clients[i % clients.length]?.send(`message ${i}`);
    await Promise.all(clients.map((client) => client.until(() => client.pending === 0 && client.log().size >= total, "500", 20_000)));

    const reference = logSignature(clients[0] as ResumingClient);
    expect(reference).toHaveLength(total);
    expect(reference.map((line) => Number(line.split(":")[0]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(reference.map((line) => line.split(":")[1])).size).toBe(total);
    for (const client of clients) {
      expect(client.violations).toEqual([]);
      expect(logSignature(client)).toEqual(reference);
    }
    // Every ack names the seq the message really got.
    const byClientMsgId = new Map(
      [...(clients[0] as ResumingClient).log().values()].map((m) => [`${m.from.name}|${m.clientMsgId}`, m.seq]),
    );
    for (const client of clients) {
      for (const [clientMsgId, seq] of client.acked) expect(byClientMsgId.get(`${client.name}|${clientMsgId}`)).toBe(seq);
    }
  });

  it("one connection per node holding the same two rooms: both see every message of each room, gap-free, in one order, and both users in both", async () => {
    const [a, b] = servers as [StartedServer, StartedServer];
    const rooms = ["duo-red", "duo-blue"];
    const onA = await TestClient.join(a.wsUrl, { room: rooms[0], name: "ann" });
    const onB = await TestClient.join(b.wsUrl, { room: rooms[0], name: "bo" });
    connections.push(onA, onB);
    await onA.join(rooms[1] as string);
    await onB.join(rooms[1] as string);
    const both = [onA, onB];
    const users = both.map((client) => client.ready.you);

    // Presence: each connection's joined frame or a later system frame lists both users in each room.
    for (const client of both) {
      for (const room of rooms) {
        await client.waitFor(() => listed(client, room).size === 2, { timeoutMs: 10_000 });
        expect([...listed(client, room).keys()].sort()).toEqual(users.map((user) => user.id).sort());
      }
    }
    for (const server of [a, b]) {
      const listing = (await (await fetch(`${server.url}/api/rooms`)).json()) as { rooms: Array<{ name: string; memberCount: number }> };
      for (const room of rooms) expect(listing.rooms).toContainEqual({ name: room, memberCount: 2 });
    }

    const perSenderPerRoom = 40;
    for (let i = 0; i < perSenderPerRoom; i++) {
      for (const room of rooms) {
        onA.chat(room, `ann ${room} ${i}`, `ann-${room}-${i}`);
        onB.chat(room, `bo ${room} ${i}`, `bo-${room}-${i}`);
      }
    }
    const perRoom = 2 * perSenderPerRoom;
    await Promise.all(both.map((client) => client.waitForCount("chat", perRoom * rooms.length, 20_000)));
    for (const room of rooms) {
      const logs = both.map((client) => client.ofType("chat").filter((chat) => chat.room === room));
      for (const log of logs) expect(log.map((chat) => chat.seq)).toEqual(Array.from({ length: perRoom }, (_, i) => i + 1));
      expect(logs[1]).toEqual(logs[0]);
      // Each sender's messages in the order sent, from whichever node.
      for (const [index, name] of ["ann", "bo"].entries()) {
        const mine = (logs[0] ?? []).filter((chat) => chat.from.id === users[index]?.id).map((chat) => chat.text);
        expect(mine).toEqual(Array.from({ length: perSenderPerRoom }, (_, i) => `${name} ${room} ${i}`));
      }
    }
    for (const client of both) {
      const acks = await client.waitForCount("ack", perSenderPerRoom * rooms.length);
      const seqOf = new Map(client.ofType("chat").map((chat) => [`${chat.room}|${chat.clientMsgId}`, chat.seq]));
      for (const ack of acks) expect(seqOf.get(`${ack.room}|${ack.clientMsgId}`)).toBe(ack.seq);
      expect(client.ofType("error")).toEqual([]);
      expect(client.invalid).toEqual([]);
    }
  });

  it("fills from PostgreSQL what a node missed while its pub/sub connection was down", async () => {
    const [a, b] = servers as [StartedServer, StartedServer];
    const onA = new ResumingClient({ endpoints: [a.wsUrl], rooms: ["blackout"], name: "reader" });
    const onB = new ResumingClient({ endpoints: [b.wsUrl], rooms: ["blackout"], name: "writer" });
    clients.push(onA, onB);
    await Promise.all([onA.start(), onB.start()]);
    onB.send("before");
    await onA.until(() => onA.log().size === 1, "first message", 5_000);

    // Drop every subscriber connection; messages published before they come back are never seen.
    const admin = new Redis(nodes.redis.url);
    try {
      await admin.call("CLIENT", "KILL", "TYPE", "pubsub");
      for (let i = 0; i < 5; i++) onB.send(`during ${i}`);
      await onB.until(() => onB.pending === 0, "acks", 5_000);
    } finally {
      admin.disconnect();
    }
    // No further message follows: only the resync after the reconnect can bring them.
    await onA.until(() => onA.log().size === 6, "the missed messages", 5_000);
    expect(onA.violations).toEqual([]);
    expect(logSignature(onA)).toEqual(logSignature(onB));
  });
});
