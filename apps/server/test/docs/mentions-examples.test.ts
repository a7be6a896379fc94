import { readFileSync } from "node:fs";
import type { ClientFrame, ServerFrame } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { acked } from "../support/change-frames";
import type { TestClient } from "../support/test-client";
import { useTestServer } from "../support/use-test-server";

/**
 * docs/protocol.md shows mentions, notification levels and links to a message in frames. They are
 * replayed here against the real server, sending the doc's own client frames, and each server
 * frame shown must be what the server sent: the same fields and values, ids and timestamps aside.
 * The search examples belong to the search tests.
 */
const doc = readFileSync(new URL("../../../../docs/protocol.md", import.meta.url), "utf8");
const section = doc.slice(doc.indexOf("## Mentions, notifications, search and links"), doc.indexOf("## Guarantees"));
const withoutSearch = section.slice(0, section.indexOf("### Search")) + section.slice(section.indexOf("### Links to a message"));
const examples = [...withoutSearch.matchAll(/```json\n([\s\S]*?)```/g)].map(
  (match) => JSON.parse(match[1] ?? "null") as Record<string, unknown>,
);

function example(predicate: (frame: Record<string, unknown>) => boolean, what: string): Record<string, unknown> {
  const found = examples.find(predicate);
  if (!found) throw new Error(`the doc shows no ${what}`);
  return found;
}

/** Replaces what differs between runs (user ids by their names, message ids, times) with placeholders. */
function normalize(value: unknown, users: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((item) => normalize(item, users));
  if (typeof value === "string") return users.has(value) ? `<user ${users.get(value)}>` : value;
  if (typeof value !== "object" || value === null) return value;
  const entries = Object.entries(value).map(([key, field]) => {
    if (key === "ts") return [key, "<ts>"];
    if (key === "id" && (value as { type?: unknown }).type === "chat") return [key, "<message id>"];
    return [key, normalize(field, users)];
  });
  return Object.fromEntries(entries);
}

/** Every `{id, name}` pair the examples show, so the doc's ids map to names too. */
function docUsers(): Map<string, string> {
  const users = new Map<string, string>();
  for (const match of withoutSearch.matchAll(/"id":"(u_[^"]+)","name":"([^"]+)"/g)) users.set(match[1] as string, match[2] as string);
  return users;
}

function usersOf(...clients: TestClient[]): Map<string, string> {
  const users = docUsers();
  for (const client of clients) if (client.ready) users.set(client.ready.you.id, client.ready.you.name);
  return users;
}

/** Appends chats straight to the store, as a busy room's history would be, before anyone joins it. */
async function prefill(
  backend: Backend,
  room: string,
  chats: Array<{ from: { id: string; name: string }; text: string; clientMsgId: string }>,
) {
  for (const chat of chats) {
    const result = await backend.messages.append({ room, actor: chat.from, kind: "chat", text: chat.text, clientMsgId: chat.clientMsgId });
    if (!result.ok) throw new Error(`prefill refused: ${result.code}`);
  }
}

describe("the Mentions and Links sections of docs/protocol.md, against the real server", () => {
  const fixture = useTestServer();

  it("a mention and @room on a chat, and a notification level set and echoed", async () => {
    const backend = new MemoryBackend({ nodeId: "docs" });
    await fixture.start({}, { backend });
    const shown = example((frame) => frame.type === "chat", "chat with mentions");
    const seq = shown.seq as number;
    await prefill(
      backend,
      "lobby",
      Array.from({ length: seq - 1 }, (_, i) => ({ from: { id: "u_earlier", name: "earlier" }, text: `chat ${i}`, clientMsgId: `e-${i}` })),
    );
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    const sent = { type: "chat", room: shown.room, text: shown.text, clientMsgId: shown.clientMsgId } as ClientFrame & { type: "chat" };
    expect(await acked(bob, sent)).toBe(seq);
    const got = await alice.waitFor((frame) => frame.type === "chat" && frame.seq === seq);
    const users = usersOf(alice, bob);
    expect(normalize(got, users)).toEqual(normalize(shown, users));

    const [request, answer] = examples.filter((frame) => frame.type === "notify");
    if (!request || !answer) throw new Error("the doc shows no notify request and answer");
    const from = alice.frames.length;
    alice.send(request as ClientFrame);
    expect((await alice.waitForType("notify", { from })) as ServerFrame).toEqual(answer);
  });

  it("history around a seq answers with the doc's page", async () => {
    const backend = new MemoryBackend({ nodeId: "docs" });
    await fixture.start({}, { backend });
    const request = example((frame) => frame.type === "history" && "around" in frame, "history around request");
    const page = example((frame) => frame.type === "history" && "messages" in frame, "history around answer");
    const shownChats = page.messages as Array<{ seq: number; from: { name: string }; text: string; clientMsgId: string }>;
    const alice = await fixture.open({ name: "alice" });
    const bob = await fixture.open({ name: "bob" });
    const byName = new Map([alice, bob].map((client) => [client.ready.you.name, client.ready.you]));
    const first = shownChats[0]?.seq ?? 1;
    const last = shownChats.at(-1)?.seq ?? 1;
    // Older chats before the page and one after it, so both flags are true.
    await prefill(backend, "lobby", [
      ...Array.from({ length: first - 1 }, (_, i) => ({
        from: { id: "u_earlier", name: "earlier" },
        text: `chat ${i}`,
        clientMsgId: `e-${i}`,
      })),
      ...shownChats.map((chat) => ({
        from: byName.get(chat.from.name) ?? { id: "u_x", name: "x" },
        text: chat.text,
        clientMsgId: chat.clientMsgId,
      })),
      { from: { id: "u_later", name: "later" }, text: "later", clientMsgId: "l-1" },
    ]);
    expect(await backend.messages.latestSeq("lobby")).toBe(last + 1);
    await alice.join("lobby");
    const from = alice.frames.length;
    alice.send(request as ClientFrame);
    const answer = await alice.waitForType("history", { from });
    const users = usersOf(alice, bob);
    expect(normalize(answer, users)).toEqual(normalize(page, users));
  });
});
