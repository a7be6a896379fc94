import { describe, expect, it } from "vitest";
import { ackOf, createRoom, joinWith, leftOf } from "../support/access-frames";
import type { StartedServer } from "../support/start-server";
import { TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";
import { expectBystanderUnharmed, joinBystander } from "./support/bystander";

const nodes = useClusterNodes<TestClient>({ database: "ban_two_nodes" });
const { servers, clients } = nodes;

/**
 * [4/6] on two nodes (PostgreSQL + Redis): a banned user racing messages against the ban, from a
 * connection on each node. The ban is checked in the script that assigns the seq, so no chat of
 * theirs gets a seq after the ban's; and the ban passes through the room on both nodes, so both
 * connections leave at once.
 */
describe("hostile: a ban raced on two nodes", () => {
  it("the banned user's connections on both nodes get left{banned}; none of their chats has a seq after the ban", async () => {
    const [a, b] = await nodes.startTwo();
    const room = "arena";
    const owner = await TestClient.open(a.wsUrl, { name: "olga" });
    clients.push(owner);
    const { key } = await createRoom(owner, room, { private: false });
    await joinWith(owner, room, { key });
    const onA = await TestClient.open(a.wsUrl, { name: "spammer" });
    clients.push(onA);
    await joinWith(onA, room);
    // The same session on the other node: nodes do not replace each other's connections.
    const onB = await TestClient.open(b.wsUrl, { session: onA.session as string });
    clients.push(onB);
    await joinWith(onB, room);
    const watcherB = await joinBystander(b.wsUrl, room);
    const watcherA = await joinBystander(a.wsUrl, room);
    clients.push(watcherA, watcherB);
    const spammerId = onA.ready.you.id;
    expect(onB.ready.you.id).toBe(spammerId);

    // Both connections fire their whole burst while the ban goes out on node A.
    const burst = 15;
    for (let i = 0; i < burst; i++) {
      onA.chat(room, `a ${i}`, `a-${i}`);
      onB.chat(room, `b ${i}`, `b-${i}`);
    }
    const banSeq = await ackOf(owner, { type: "moderate", room, clientMsgId: "ban", action: "ban", user: spammerId });

    for (const connection of [onA, onB]) {
      const left = await leftOf(connection, room);
      expect(left).toMatchObject({ reason: "banned", by: { name: "olga" } });
      // `left` is the room's last frame on the connection: answers still in flight when it went
      // out are not sent (the client's outbox resends them if it is ever let back in).
      const after = connection.frames.slice(connection.frames.indexOf(left) + 1);
      expect(after.filter((frame) => "room" in frame && frame.room === room && frame.type !== "error")).toEqual([]);
      // Every answer that came is an ack below the ban's seq, or a refusal (banned, or not_joined once gone).
      for (const answer of connection.frames) {
        if (answer.type === "ack" && answer.room === room) expect(answer.seq).toBeLessThan(banSeq);
        if (answer.type === "error") expect(["banned", "not_joined"]).toContain(answer.code);
      }
      expect(connection.invalid).toEqual([]);
    }
    // The stored log agrees: nothing by the spammer after the ban.
    const latest = await a.app.backend.messages.latestSeq(room);
    const { messages } = await a.app.backend.messages.range(room, { after: 0, upTo: latest, limit: latest });
    const afterBan = messages.filter((event) => event.seq > banSeq && event.type === "chat" && event.from.id === spammerId);
    expect(afterBan).toEqual([]);
    expect(messages.find((event) => event.seq === banSeq)).toMatchObject({ type: "moderation", action: "ban" });
    // Both nodes' watchers saw the ban in order, and can still talk.
    for (const watcher of [watcherA, watcherB]) {
      await watcher.waitFor((f) => f.type === "moderation" && f.seq === banSeq);
      await expectBystanderUnharmed(watcher);
    }
    // A resume on either node is refused.
    expect(await joinWith(onB, room, { since: banSeq })).toMatchObject({ type: "error", code: "banned", room });
  });
  it("a private room with members on one node is listed by neither node's /api/rooms; an open one is", async () => {
    const [a, b] = servers as [StartedServer, StartedServer];
    const owner = await TestClient.open(a.wsUrl, { name: "hidden-owner" });
    clients.push(owner);
    const { key } = await createRoom(owner, "hideout", { private: true });
    await joinWith(owner, "hideout", { key });
    for (const server of [a, b]) {
      const listed = (await (await fetch(`${server.url}/api/rooms`)).json()) as { rooms: Array<{ name: string }> };
      expect(listed.rooms.map((room) => room.name)).not.toContain("hideout");
      // `arena`, the open room of the test above, still has its members connected.
      expect(listed.rooms.map((room) => room.name)).toContain("arena");
    }
  });
});
