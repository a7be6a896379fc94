import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { acked } from "../support/change-frames";
import { useCleanup } from "../support/use-cleanup";
import { useTestServer } from "../support/use-test-server";

// Registered first, so its afterEach runs last: the server closes before its data dir goes.
const cleanup = useCleanup();
const fixture = useTestServer();

describe("deleted means gone", () => {
  it("after a delete, the text and its edits are in no frame or page, and not in the SQLite file after a checkpoint", async () => {
    const dataDir = cleanup.tempDir("chatroom-gone-").path;
    await fixture.start({ HISTORY: "sqlite", DATA_DIR: dataDir });
    const alice = await fixture.join({ name: "alice" });
    const bob = await fixture.join({ name: "bob" });
    const marker = randomBytes(8).toString("hex");
    const room = "lobby";
    await acked(alice, { type: "chat", room, text: `draft ${marker}-first`, clientMsgId: "a-1" });
    await acked(alice, { type: "edit", room, target: 1, text: `draft ${marker}-second`, clientMsgId: "a-2" });
    await acked(bob, { type: "react", room, target: 1, emoji: "👀", on: true, clientMsgId: "b-1" });
    await acked(bob, { type: "chat", room, text: `kept ${marker}-kept`, replyTo: 1, clientMsgId: "b-2" });
    await acked(alice, { type: "delete", room, target: 1, clientMsgId: "a-3" });

    const file = join(dataDir, "chat.db");
    const db = new Database(file);
    try {
      expect(db.pragma("wal_checkpoint(TRUNCATE)")).toEqual([{ busy: 0, log: 0, checkpointed: 0 }]);
    } finally {
      db.close();
    }
    const bytes = readFileSync(file);
    expect(bytes.includes(`${marker}-kept`), "a text that was not deleted is found, so the search works").toBe(true);
    expect(bytes.includes(`${marker}-first`)).toBe(false);
    expect(bytes.includes(`${marker}-second`)).toBe(false);
    expect(readFileSync(`${file}-wal`).length).toBe(0);

    // Every way to read the room back: a fresh join, a resume from 0, pages in both directions.
    const fresh = await fixture.join({ name: "carol" });
    const resumed = await fixture.join({ name: "dave", since: 0 });
    for (const page of [
      { type: "history", room, before: 10, limit: 10 },
      { type: "history", room, after: 0, limit: 10 },
    ] as const) {
      const from = resumed.frames.length;
      resumed.send(page);
      await resumed.waitForType("history", { from });
    }
    const everything = JSON.stringify([...fresh.frames, ...resumed.frames]);
    expect(everything).not.toContain(`${marker}-first`);
    expect(everything).not.toContain(`${marker}-second`);
    expect(everything).toContain(`${marker}-kept`);
    expect(fresh.joined.messages).toEqual([
      expect.objectContaining({ seq: 1, deleted: { by: alice.joined.you, ts: expect.any(Number) }, edited: { ts: expect.any(Number) } }),
      expect.objectContaining({ seq: 4, replyTo: { seq: 1, deleted: true } }),
    ]);
    expect(fresh.joined.messages[0]).not.toHaveProperty("text");
    expect(fresh.joined.messages[0]).not.toHaveProperty("reactions");
  });
});
