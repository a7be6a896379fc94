import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgMessageStore } from "../../src/backend/postgres/message-store";
import { migrate } from "../../src/backend/postgres/migrate";
import { createPgPool } from "../../src/backend/postgres/pool";
import { type PostgresProcess, postgresUnavailable, startPostgres } from "../support/postgres-process";

const unavailable = postgresUnavailable();

describe.skipIf(unavailable !== undefined)("PgMessageStore.appendChat (prototype)", () => {
  let server: PostgresProcess;
  let pool: pg.Pool;
  /** A second node: its own pool and its own message ids, on the same database. */
  let otherPool: pg.Pool;
  let store: PgMessageStore;
  let otherNode: PgMessageStore;
  let now = 1_700_000_000_000;

  beforeAll(async () => {
    server = await startPostgres({ database: "store_test" });
    pool = createPgPool(server.url, { max: 5 });
    otherPool = createPgPool(server.url, { max: 5 });
    await migrate(pool);
    store = new PgMessageStore(pool, { nodeId: "node-a", now: () => now++ });
    otherNode = new PgMessageStore(otherPool, { nodeId: "node-b", now: () => now++ });
  }, 60_000);
  afterAll(async () => {
    await pool?.end();
    await otherPool?.end();
    await server?.stop();
  });

  const chat = (room: string, clientMsgId: string, text = clientMsgId) => ({ room, userId: "u1", userName: "Ann", clientMsgId, text });

  it("gives each room its own seqs from 1, and stores the chat with them", async () => {
    const first = await store.appendChat(chat("alpha", "a1"));
    const second = await store.appendChat(chat("alpha", "a2"));
    const elsewhere = await store.appendChat(chat("beta", "b1"));
    expect([first.ack.seq, second.ack.seq, elsewhere.ack.seq]).toEqual([1, 2, 1]);
    expect(first.duplicate).toBe(false);
    expect(await store.latestSeq("alpha")).toBe(2);
    const rows = await pool.query("SELECT seq, text, rev FROM chats WHERE room = 'alpha' ORDER BY seq");
    expect(rows.rows).toEqual([
      { seq: 1, text: "a1", rev: 1 },
      { seq: 2, text: "a2", rev: 2 },
    ]);
  });

  it("answers a resend with the original ack and stores nothing, taking no seq", async () => {
    const original = await store.appendChat(chat("gamma", "g1", "hello"));
    const resend = await otherNode.appendChat(chat("gamma", "g1", "hello again"));
    expect(resend).toEqual({ ack: original.ack, duplicate: true });
    expect(await store.latestSeq("gamma")).toBe(1);
    const next = await store.appendChat(chat("gamma", "g2"));
    expect(next.ack.seq).toBe(2);
    expect((await pool.query("SELECT count(*)::int AS n FROM events WHERE room = 'gamma'")).rows[0]).toEqual({ n: 2 });
  });

  it("keeps a room's seqs gap-free and unique under concurrent appends from two nodes", async () => {
    const sends = Array.from({ length: 60 }, (_, i) => (i % 2 ? store : otherNode).appendChat(chat("delta", `d${i}`)));
    const results = await Promise.all(sends);
    const seqs = results.map((result) => result.ack.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(await store.latestSeq("delta")).toBe(60);
  });

  it("stores one chat when two nodes race the same (user, clientMsgId)", async () => {
    const racers = Array.from({ length: 8 }, (_, i) => (i % 2 ? store : otherNode).appendChat(chat("epsilon", "same")));
    const results = await Promise.all(racers);
    expect(results.filter((result) => !result.duplicate)).toHaveLength(1);
    expect(new Set(results.map((result) => result.ack.seq))).toEqual(new Set([1]));
    expect(await store.latestSeq("epsilon")).toBe(1);
  });

  it("gives a rolled-back seq back, so no committed seq is skipped", async () => {
    const client = await pool.connect();
    try {
      await client.query("BEGIN");
      const lost = await store.appendChatIn(client, chat("zeta", "z1"));
      expect(lost.ack.seq).toBe(1);
      await client.query("ROLLBACK");
    } finally {
      client.release();
    }
    expect((await store.appendChat(chat("zeta", "z2"))).ack.seq).toBe(1);
    // The rolled-back send is not remembered: sending it again stores it.
    expect(await store.appendChat(chat("zeta", "z1"))).toMatchObject({ duplicate: false, ack: { seq: 2 } });
  });
});
