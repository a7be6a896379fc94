import { readFileSync } from "node:fs";
import type { ChangeClientFrame } from "@chatroom/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { acked, answerTo } from "../support/change-frames";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { type TempDir, tempDir } from "../support/temp-dir";
import { useTestServer } from "../support/use-test-server";

/**
 * docs/protocol.md: a `chat` or `edit` whose text holds U+0000 is refused with `bad_frame` (no store
 * keeps it: PostgreSQL's text refuses it), the connection stays open, and nothing is stored. Over a
 * real socket, on SQLite and on PostgreSQL; the `chat` section's own example is sent as written.
 */
const doc = readFileSync(new URL("../../../../docs/protocol.md", import.meta.url), "utf8");
// The client's `chat` (the server frames, earlier in the doc, have a `chat` heading too).
const clientFrames = doc.indexOf("A client sends twelve frame types");
const chatSection = doc.slice(doc.indexOf("### `chat`", clientFrames), doc.indexOf("### `typing`", clientFrames));
const examples = [...chatSection.matchAll(/```json(?: refused)?\n([\s\S]*?)```/g)].map(
  (match) => JSON.parse(match[1] ?? "null") as Record<string, unknown>,
);

function docExample(predicate: (example: Record<string, unknown>) => boolean, what: string): Record<string, unknown> {
  const found = examples.find(predicate);
  if (!found) throw new Error(`the chat section of docs/protocol.md shows no ${what}`);
  return found;
}

const docNulChat = docExample(
  (e) => e.type === "chat" && String(e.text).includes("\u0000"),
  "chat holding U+0000",
) as unknown as ChangeClientFrame;
const docNulError = docExample((e) => e.type === "error" && e.clientMsgId === docNulChat.clientMsgId, "error answering it");

let postgres: PostgresProcess;
let dir: TempDir;

beforeAll(async () => {
  postgres = await startPostgres({ database: "nul_text" });
  dir = tempDir();
}, 120_000);

afterAll(async () => {
  await postgres?.stop();
  dir?.remove();
});

describe.each(["sqlite", "postgres"] as const)("text holding U+0000 over a real socket, on %s", (store) => {
  const fixture = useTestServer();
  const env = (): Record<string, string> =>
    store === "sqlite" ? { HISTORY: "sqlite", DATA_DIR: dir.path } : { DATABASE_URL: postgres.url };

  it("a chat and an edit holding U+0000 get bad_frame, the connection stays open, and nothing is stored", async () => {
    const server = await fixture.start(env());
    expect(server.app.backend.kind).toBe(store);
    const room = `nul-${store}`;
    const alice = await fixture.join({ room, name: "alice" });
    const latestSeq = () => server.app.backend.messages.latestSeq(room);
    expect(await acked(alice, { type: "chat", room, text: "clean", clientMsgId: "ok-1" })).toBe(1);

    const refusals = [
      { type: "chat", room, text: "nul \u0000 inside", clientMsgId: "nul-chat" },
      { type: "chat", room, text: "\u0000", clientMsgId: "nul-only" },
      { type: "edit", room, target: 1, text: "edited \u0000 nul", clientMsgId: "nul-edit" },
    ] satisfies ChangeClientFrame[];
    for (const frame of refusals) {
      expect(await answerTo(alice, frame)).toMatchObject({ type: "error", code: "bad_frame", clientMsgId: frame.clientMsgId });
      expect(alice.isOpen).toBe(true);
    }
    expect(await latestSeq()).toBe(1);
    const stored = await server.app.backend.messages.range(room, { after: 0, upTo: 10, limit: 10 });
    expect(stored.messages).toMatchObject([{ type: "chat", seq: 1, text: "clean" }]);

    // Still open and still heard: the next valid change is stored right after.
    expect(await acked(alice, { type: "edit", room, target: 1, text: "clean, edited", clientMsgId: "ok-2" })).toBe(2);
    expect(await latestSeq()).toBe(2);
  });

  it("the chat section's example is answered as docs/protocol.md shows", async () => {
    const server = await fixture.start(env());
    const room = String(docNulChat.room);
    const before = await server.app.backend.messages.latestSeq(room);
    const client = await fixture.join({ room, name: "alice" });
    expect(await answerTo(client, docNulChat)).toEqual(docNulError);
    expect(client.isOpen).toBe(true);
    expect(await server.app.backend.messages.latestSeq(room)).toBe(before);
  });
});
