import { readFileSync } from "node:fs";
import type { ChangeClientFrame, ServerFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import { acked, answerTo } from "../support/change-frames";
import type { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

/**
 * docs/protocol.md tells the story of "Changing messages" in frames. It is replayed here against
 * the real server, sending the doc's own client frames, and every server frame the section shows
 * must be what the server sent: the same fields and values, ids, timestamps and tokens aside.
 */
const doc = readFileSync(new URL("../../../../docs/protocol.md", import.meta.url), "utf8");
// Up to the next section: "Who may enter and who may speak" has its own test (access-examples.test.ts).
const section = doc.slice(doc.indexOf("## Changing messages"), doc.indexOf("## Who may enter and who may speak"));
const examples = [...section.matchAll(/```json\n([\s\S]*?)```/g)].map((match) => JSON.parse(match[1] ?? "null") as Record<string, unknown>);

/** The doc's client frame with that clientMsgId, to send as written. */
function docFrame(clientMsgId: string): ChangeClientFrame {
  const frame = examples.find((example) => example.clientMsgId === clientMsgId && !("seq" in example) && example.type !== "error");
  if (!frame) throw new Error(`the doc shows no client frame ${clientMsgId}`);
  return frame as unknown as ChangeClientFrame;
}

/** Replaces what differs between runs (user ids by their names, message ids, times, tokens) with placeholders. */
function normalize(value: unknown, users: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => normalize(item, users));
  if (typeof value === "string") return users.has(value) ? `<user ${users.get(value)}>` : value;
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).map(([key, field]) => {
    if (key === "ts" || key === "session") return [key, `<${key}>`];
    if (key === "id" && (value as { type?: unknown }).type === "chat") return [key, "<message id>"];
    return [key, normalize(field, users)];
  });
  return Object.fromEntries(entries);
}

/** Every `{id, name}` pair the section's examples show, so the doc's ids map to names too. */
function docUsers(): Map<string, string> {
  const users = new Map<string, string>();
  for (const match of section.matchAll(/"id":\s*"(u_[^"]+)",\s*"name":\s*"([^"]+)"/g)) users.set(match[1] as string, match[2] as string);
  return users;
}

describe("the Changing messages section of docs/protocol.md, against the real server", () => {
  const fixture = useTestServer();

  it("every server frame it shows is what the server sends for its story", async () => {
    await fixture.start({ EDIT_WINDOW_MS: "900000" });
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    const carol = await fixture.join({ name: "carol" });
    const room = "lobby";
    await acked(bob, { type: "chat", room, text: "hi all", clientMsgId: "b-1" });
    await acked(alice, { type: "chat", room, text: "fixd typo", clientMsgId: "a-7" });
    await acked(alice, docFrame("e-1"));
    await acked(bob, docFrame("r-1"));
    await acked(carol, { type: "react", room, target: 2, emoji: "👍", on: true, clientMsgId: "c-1" });
    await acked(bob, docFrame("b-2"));
    await acked(alice, { type: "chat", room, text: "wrong room", clientMsgId: "a-8" });
    await acked(alice, { type: "edit", room, target: 7, text: "wrong room, sorry", clientMsgId: "e-2" });
    await acked(alice, docFrame("d-1"));
    await answerTo(bob, { type: "react", room, target: 2, emoji: "👍", on: true, clientMsgId: "r-2" });
    await answerTo(bob, { type: "edit", room, target: 2, text: "not mine", clientMsgId: "b-3" });
    await answerTo(bob, { type: "chat", room, text: "re", replyTo: 3, clientMsgId: "b-4" });
    await answerTo(bob, { type: "react", room, target: 7, emoji: "👀", on: true, clientMsgId: "b-5" });
    const late = await fixture.join({ name: "dave" });
    const from = late.frames.length;
    late.send({ type: "history", room, after: 6, limit: 100 });
    await late.waitForType("history", { from });

    const users = new Map<string, string>(docUsers());
    for (const client of [alice, bob, carol, late]) users.set(client.ready.you.id, client.ready.you.name);
    const seen = (client: TestClient) => client.frames;
    const shown = examples.filter(
      (example) => "seq" in example || ["error", "ack", "ready", "joined", "history"].includes(String(example.type)),
    );
    expect(shown.length).toBeGreaterThanOrEqual(11);
    for (const example of shown) {
      const [actual, compared] = sentFor(example, { alice: seen(alice), bob: seen(bob), late: seen(late) });
      expect(actual, `a server frame for the doc's ${JSON.stringify(example).slice(0, 120)}`).toBeDefined();
      expect(normalize(pick(actual as ServerFrame, compared), users)).toEqual(normalize(pick(example, compared), users));
    }
  });
});

/** The frame the server sent that the example shows, and which of its fields the doc commits to. */
function sentFor(
  example: Record<string, unknown>,
  frames: Record<"alice" | "bob" | "late", ServerFrame[]>,
): [ServerFrame | undefined, string[] | "all"] {
  const all = [...frames.alice, ...frames.bob, ...frames.late];
  switch (example.type) {
    case "ready":
      // A new membership list and a session of its own: the doc's point is `limits`.
      return [frames.alice.find((frame) => frame.type === "ready"), ["type", "protocol", "limits"]];
    case "joined":
      // The late joiner: who else is present, and its own read marker, are the run's.
      return [frames.late.find((frame) => frame.type === "joined"), ["type", "room", "messages", "latestSeq", "complete"]];
    case "history":
      return [frames.late.find((frame) => frame.type === "history"), "all"];
    default:
      return [
        all.find((frame) => frame.type === example.type && "clientMsgId" in frame && frame.clientMsgId === example.clientMsgId),
        "all",
      ];
  }
}

function pick(frame: object, fields: string[] | "all"): Record<string, unknown> {
  const entries = Object.entries(frame);
  return Object.fromEntries(fields === "all" ? entries : entries.filter(([key]) => fields.includes(key)));
}
