import type { ChatFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { acked, liveEvents, waitForSeq } from "../support/change-frames";
import { comparable, RoomProjection } from "../support/room-projection";
import { TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";

const nodes = useClusterNodes<TestClient>({ database: "two_nodes_changes" });
const { clients } = nodes;

/** The chats a connection holds after applying every event it got live, in order, by the doc's rule. */
function chatsOf(client: TestClient, room: string): ChatFrame[] {
  const projection = new RoomProjection();
  for (const event of liveEvents(client, room)) projection.apply(event);
  return [...projection.chats.values()];
}

describe("two nodes on PostgreSQL + Redis: edits, deletions and reactions", () => {
  it("a change on one node reaches the other node's clients in seq order, replies with their quote, no-ops with nothing", async () => {
    const [a, b] = await nodes.startTwo();
    const room = "fixes";
    const ann = await TestClient.join(a.wsUrl, { room, name: "ann" });
    const watcher = await TestClient.join(a.wsUrl, { room, name: "watcher" });
    const bo = await TestClient.join(b.wsUrl, { room, name: "bo" });
    clients.push(ann, watcher, bo);

    await acked(ann, { type: "chat", room, text: "ann's first", clientMsgId: "a-1" });
    await acked(bo, { type: "chat", room, text: "bo's frist", clientMsgId: "b-1" });
    await acked(bo, { type: "chat", room, text: "bo's regret", clientMsgId: "b-2" });
    await acked(bo, { type: "edit", room, target: 2, text: "bo's first", clientMsgId: "b-3" });
    await acked(bo, { type: "react", room, target: 1, emoji: "👍", on: true, clientMsgId: "b-4" });
    await acked(ann, { type: "react", room, target: 2, emoji: "🎉", on: true, clientMsgId: "a-2" });
    // Changes nothing: acked with the latest seq, and no node fans anything out.
    expect(await acked(bo, { type: "react", room, target: 1, emoji: "👍", on: true, clientMsgId: "b-5" })).toBe(6);
    await acked(bo, { type: "chat", room, text: "quoting ann", replyTo: 1, clientMsgId: "b-6" });
    await acked(bo, { type: "delete", room, target: 3, clientMsgId: "b-7" });
    const latest = await acked(ann, { type: "react", room, target: 2, emoji: "🎉", on: false, clientMsgId: "a-3" });
    expect(latest).toBe(9);

    for (const client of [ann, watcher, bo]) {
      await waitForSeq(client, room, latest);
      const events = liveEvents(client, room);
      expect(events.map((event) => [event.seq, event.type])).toEqual([
        [1, "chat"],
        [2, "chat"],
        [3, "chat"],
        [4, "edit"],
        [5, "reaction"],
        [6, "reaction"],
        [7, "chat"],
        [8, "delete"],
        [9, "reaction"],
      ]);
      expect(events.find((event) => event.seq === 7)).toMatchObject({ replyTo: { seq: 1, from: ann.joined.you, text: "ann's first" } });
      expect(events.find((event) => event.seq === 4)).toMatchObject({ type: "edit", by: bo.joined.you, text: "bo's first" });
      expect(client.ofType("ack").filter((ack) => ack.clientMsgId === "b-5").length).toBe(client === bo ? 1 : 0);
      expect(client.invalid).toEqual([]);
    }
    // Every node's clients hold the same chats, and that is the room as it stands in the store.
    const stored = await a.app.backend.messages.latestChats(room, latest, 100);
    for (const client of [ann, watcher, bo]) expect(chatsOf(client, room).map(comparable)).toEqual(stored.messages.map(comparable));
  });
});
