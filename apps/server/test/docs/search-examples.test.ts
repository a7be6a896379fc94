import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { type Frame, RawClient } from "../acceptance/raw-client";
import { useTestServer } from "../support/use-test-server";

/**
 * docs/protocol.md shows `search` in frames. Its client frame is sent as written to the real
 * server, and every answer it shows must be what the server sends: the same fields and values,
 * what differs between runs (times, seqs, ids, the opaque cursor) aside.
 */
const doc = readFileSync(new URL("../../../../docs/protocol.md", import.meta.url), "utf8");
const section = doc.slice(doc.indexOf("### Search\n"), doc.indexOf("### Links to a message"));
const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1] ?? "null") as Frame);

function example(predicate: (frame: Frame) => boolean): Frame {
  const found = examples.find(predicate);
  if (!found) throw new Error("the doc shows no such frame");
  return found;
}

/** Placeholders for what differs between runs. */
function normalize(frame: Frame): unknown {
  return JSON.parse(JSON.stringify(frame), (key, value) => {
    if (key === "ts" || key === "seq" || key === "next" || (key === "id" && typeof value === "string" && value.startsWith("u_")))
      return `<${key}>`;
    return value;
  });
}

describe("the Search section of docs/protocol.md, against the real server", () => {
  const fixture = useTestServer();
  const clients: RawClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((client) => client.close()));
  });

  it("every answer it shows is what the server sends for its story", async () => {
    const server = await fixture.start();
    const bob = await RawClient.joined(server.wsUrl, "lobby", { hello: { name: "bob" } });
    const alice = await RawClient.joined(server.wsUrl, "lobby", { hello: { name: "alice" } });
    clients.push(bob, alice);
    // An older match, so the doc's page of one has a `next`.
    for (const [clientMsgId, text] of [
      ["b-1", "测试 first"],
      ["b-2", "明天的测试环境准备好了"],
    ]) {
      const from = bob.frames.length;
      bob.send({ type: "chat", room: "lobby", text, clientMsgId });
      await bob.waitFor((frame) => frame.type === "ack" && frame.clientMsgId === clientMsgId, { from });
    }

    const answer = async (frame: Frame): Promise<Frame> => {
      const from = alice.frames.length;
      alice.send(frame);
      return alice.waitFor((f) => f.clientMsgId === frame.clientMsgId && (f.type === "search-results" || f.type === "error"), { from });
    };
    const request = example((frame) => frame.type === "search");
    const results = await answer(request);
    expect(normalize(results)).toEqual(normalize(example((frame) => frame.type === "search-results")));
    // The doc's cursor is a real one: it decodes to the doc's own hit.
    expect(Buffer.from(String(example((frame) => frame.type === "search-results").next), "base64url").toString()).toBe(
      "1767225610000:4711:lobby",
    );

    const forbidden = example((frame) => frame.type === "error" && frame.code === "forbidden");
    expect(await answer({ type: "search", clientMsgId: forbidden.clientMsgId, query: "plan in:team" })).toEqual(forbidden);
    const badQuery = example((frame) => frame.type === "error" && frame.code === "bad_query");
    expect(await answer({ type: "search", clientMsgId: badQuery.clientMsgId, query: "测试 after:2026-13-01" })).toEqual(badQuery);
  });
});
