import type { User } from "@chatroom/protocol";
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { AppendResult, ChangeRequest } from "../../src/backend/message-store";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { emptyDatabase } from "../support/empty-database";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";

const ann: User = { id: "u_ann", name: "Ann" };
const chat = (room: string, clientMsgId: string, text = clientMsgId): ChangeRequest => ({
  room,
  actor: ann,
  clientMsgId,
  kind: "chat",
  text,
});
const ackSeq = (result: AppendResult) => {
  if (!result.ok) throw new Error(`refused: ${result.code}`);
  return result.ack.seq;
};

/** Two nodes on one database: the tick commit's guarantees hold across them, not just within one. */
describe("PostgreSQL tick commit, two nodes on one database", () => {
  let server: PostgresProcess;
  let one: PgBackend;
  let two: PgBackend;
  let now = 1_700_000_000_000;
  let look: pg.Pool;

  beforeAll(async () => {
    server = await startPostgres({ database: "ticks" });
    one = await PgBackend.open({ nodeId: "node-1", url: server.url, now: () => now++, poolMax: 4 });
    two = await PgBackend.open({ nodeId: "node-2", url: server.url, now: () => now++, poolMax: 4 });
    look = new pg.Pool({ connectionString: server.url, max: 1 });
  }, 120_000);
  afterAll(async () => {
    await one?.close();
    await two?.close();
    await look?.end();
    await server?.stop();
  });
  beforeEach(async () => {
    await emptyDatabase(server.url);
  });

  it("gives each room its own seqs from 1, and a resend on the other node the original ack, taking no seq", async () => {
    expect(ackSeq(await one.messages.append(chat("alpha", "a1")))).toBe(1);
    expect(ackSeq(await one.messages.append(chat("beta", "b1")))).toBe(1);
    const original = await one.messages.append(chat("alpha", "a2", "hello"));
    const resend = await two.messages.append(chat("alpha", "a2", "hello again"));
    expect(resend).toMatchObject({ ok: true, duplicate: true, ack: original.ok ? original.ack : {} });
    expect(await two.messages.latestSeq("alpha")).toBe(2);
    const rows = await look.query("SELECT seq::int AS seq, text, rev::int AS rev FROM chats WHERE room = 'alpha' ORDER BY seq");
    expect(rows.rows).toEqual([
      { seq: 1, text: "a1", rev: 1 },
      { seq: 2, text: "hello", rev: 2 },
    ]);
  });

  it("keeps seqs gap-free and unique when both nodes append to the same rooms at once (no deadlock either)", async () => {
    const rooms = ["r1", "r2", "r3"];
    const sends = Array.from({ length: 90 }, (_, i) => (i % 2 ? one : two).messages.append(chat(rooms[i % 3] as string, `m${i}`)));
    const results = await Promise.all(sends);
    for (const [index, room] of rooms.entries()) {
      const seqs = results
        .filter((_, i) => i % 3 === index)
        .map(ackSeq)
        .sort((a, b) => a - b);
      expect(seqs, room).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
      expect(await one.messages.latestSeq(room)).toBe(30);
    }
  });

  it("stores one chat when the two nodes race the same (user, clientMsgId)", async () => {
    const racers = Array.from({ length: 8 }, (_, i) => (i % 2 ? one : two).messages.append(chat("epsilon", "same")));
    const results = await Promise.all(racers);
    expect(results.filter((result) => result.ok && !result.duplicate)).toHaveLength(1);
    expect(new Set(results.map(ackSeq))).toEqual(new Set([1]));
    expect((await look.query("SELECT count(*)::int AS n FROM events WHERE room = 'epsilon'")).rows[0]).toEqual({ n: 1 });
  });

  it("a step PostgreSQL refuses (a NUL in the text) fails alone: the rest of its tick commits, and no seq is lost", async () => {
    const tick = [chat("zeta", "z1"), chat("zeta", "z2", "bad \u0000 text"), chat("zeta", "z3")].map((request) =>
      one.messages.append(request).then(
        (result) => ({ ok: true as const, seq: ackSeq(result) }),
        (error: unknown) => ({ ok: false as const, error }),
      ),
    );
    const [first, bad, third] = await Promise.all(tick);
    expect(bad?.ok).toBe(false);
    expect([first, third].map((outcome) => (outcome?.ok ? outcome.seq : -1))).toEqual([1, 2]);
    // The refused send is not remembered, and took no seq.
    expect(ackSeq(await one.messages.append(chat("zeta", "z2", "good text")))).toBe(3);
  });
  it("every connection commits with synchronous_commit on, even when the database's default is off", async () => {
    await server.psql("CREATE DATABASE durable");
    await server.psql("ALTER DATABASE durable SET synchronous_commit = off");
    const url = new URL(server.url);
    url.pathname = "/durable";
    const backend = await PgBackend.open({ nodeId: "node-d", url: url.toString(), poolMax: 2 });
    try {
      // Reads go through the pool: its connections' setting is the one the tick's commits use.
      const pool = (backend as unknown as { pool: pg.Pool }).pool;
      const shown = await pool.query<{ synchronous_commit: string }>("SHOW synchronous_commit");
      expect(shown.rows[0]?.synchronous_commit).toBe("on");
      const plain = new pg.Client({ connectionString: url.toString() });
      await plain.connect();
      // Without the backend's setting, a connection gets the database's default.
      expect((await plain.query("SHOW synchronous_commit")).rows[0]).toEqual({ synchronous_commit: "off" });
      await plain.end();
    } finally {
      await backend.close();
    }
  });
});
