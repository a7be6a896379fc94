import { describe, expect, it } from "vitest";
import { acked, waitForSeq } from "../support/change-frames";
import { TestClient } from "../support/test-client";
import { useClusterNodes } from "../support/use-cluster-nodes";

const nodes = useClusterNodes<TestClient>({ database: "two_nodes_mentions" });
const { clients } = nodes;

/** Everything the server sent `client` so far has arrived: a ping's pong comes after it. */
async function settled(client: TestClient, t: number): Promise<void> {
  const from = client.frames.length;
  client.send({ type: "ping", t });
  await client.waitFor((frame) => frame.type === "pong" && frame.t === t, { from });
}

describe("two nodes on PostgreSQL + Redis: mentions and notification levels", () => {
  it("a member on the other node can be mentioned, and notify reaches the user's connections on both nodes only", async () => {
    const [a, b] = await nodes.startTwo();
    const room = "crew";
    const ann = await TestClient.join(a.wsUrl, { room, name: "ann" });
    // The same user (same session) on the other node: one connection per session holds per node only.
    const annOnB = await TestClient.join(b.wsUrl, { room, session: ann.ready.session });
    const bo = await TestClient.join(b.wsUrl, { room, name: "bo" });
    clients.push(ann, annOnB, bo);
    expect(annOnB.ready.you).toEqual(ann.ready.you);

    // bo, on b, mentions ann, whom b knows as present through cluster presence.
    const seq = await acked(bo, { type: "chat", room, text: "@ann ping", clientMsgId: "b-1" });
    for (const client of [ann, annOnB, bo]) {
      const chat = await waitForSeq(client, room, seq);
      expect(chat).toMatchObject({ mentions: [{ id: ann.ready.you.id, name: "ann" }] });
      expect(chat).not.toHaveProperty("mentionsRoom");
    }

    const fromA = ann.frames.length;
    const fromB = annOnB.frames.length;
    ann.send({ type: "notify", room, level: "none" });
    const expected = { type: "notify", room, level: "none" };
    expect(await ann.waitForType("notify", { from: fromA })).toEqual(expected);
    expect(await annOnB.waitForType("notify", { from: fromB })).toEqual(expected);
    await settled(bo, 1);
    expect(bo.ofType("notify")).toEqual([]);

    // Stored: a new connection reads it in ready (it replaces ann's on a, last of all).
    const annReady = await TestClient.open(a.wsUrl, { session: ann.ready.session });
    clients.push(annReady);
    expect(annReady.ready.rooms).toEqual([{ room, latestSeq: seq, readSeq: 0, unread: 1, unreadMentions: 1, notify: "none" }]);
    for (const client of clients) expect(client.invalid).toEqual([]);
  });
});
