import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { PgBackend } from "../../src/backend/postgres/pg-backend";
import { runStoreCopy } from "../../src/backend/postgres/store-copy/store-copy";
import { SqliteBackend } from "../../src/backend/sqlite/sqlite-backend";
import { FakeClock } from "../support/fake-clock";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { FIXTURE_ROOMS, FIXTURE_SESSIONS, FIXTURE_USERS, fillSqliteStore } from "../support/sqlite-store-fixture";
import { type TempDir, tempDir } from "../support/temp-dir";

const owner = { id: "u_owner", name: "olga" };

/**
 * After `migrate-store`, PostgreSQL is the same store as far as a server can tell: every read a
 * server makes gives what SQLite gave, and the next writes go on from where SQLite stopped.
 */
describe("migrate-store: the copy read through PgBackend", () => {
  let server: PostgresProcess;
  let store: TempDir;
  let sqlite: SqliteBackend;
  let postgres: PgBackend;
  /** Both stores read at the same moment: expiries (mutes, bans, invites) count from it alike. */
  const clock = new FakeClock();

  beforeAll(async () => {
    server = await startPostgres({ database: "migrate_store_reads" });
    store = tempDir("chatroom-migrate-reads-");
    const now = () => clock.now();
    const filling = SqliteBackend.open({ nodeId: "n1", dataDir: store.path, now, search: { indexer: "manual" } });
    await fillSqliteStore(filling, { advance: (ms) => clock.advance(ms) }, { chatsPerRoom: 30 });
    await filling.close();
    await runStoreCopy({ dataDir: store.path, databaseUrl: server.url, batchSize: 50, print: () => undefined });
    sqlite = SqliteBackend.open({ nodeId: "n1", dataDir: store.path, now, search: { indexer: "manual" } });
    postgres = await PgBackend.open({ nodeId: "n2", url: server.url, now, poolMax: 4 });
  }, 120_000);
  afterAll(async () => {
    await postgres?.close();
    await sqlite?.close();
    store?.remove();
    await server?.stop();
  });

  /** The same call on both stores. */
  async function both<T>(read: (backend: Backend) => Promise<T>): Promise<[T, T]> {
    return [await read(sqlite), await read(postgres)];
  }

  it("gives the same history pages in every room: range, before, after, around, latestChats, latestSeq", async () => {
    for (const room of [...FIXTURE_ROOMS, "empty-room", "no-such-room"]) {
      const [latest, pgLatest] = await both((b) => b.messages.latestSeq(room));
      expect(pgLatest, room).toBe(latest);
      const reads: Array<(b: Backend) => Promise<unknown>> = [
        (b) => b.messages.range(room, { after: 0, upTo: latest, limit: latest + 1 }),
        (b) => b.messages.range(room, { after: 5, upTo: latest, limit: 7 }),
        (b) => b.messages.before(room, latest + 1, 10),
        (b) => b.messages.before(room, Math.floor(latest / 2), 10),
        (b) => b.messages.after(room, 3, latest, 10),
        (b) => b.messages.around(room, Math.floor(latest / 3), latest, 9),
        (b) => b.messages.latestChats(room, latest, 10),
      ];
      for (const read of reads) {
        const [fromSqlite, fromPostgres] = await both(read);
        expect(fromPostgres, `${room}: ${read.toString()}`).toEqual(fromSqlite);
      }
    }
    // Not vacuous: the rooms have history of every kind.
    const page = await postgres.messages.range("a-room", { after: 0, upTo: 1_000, limit: 1_000 });
    expect(new Set(page.messages.map((event) => event.type))).toEqual(new Set(["chat", "edit", "delete", "reaction", "moderation"]));
  });

  it("gives the same memberships (read markers, unread counts, notify), sessions, settings and room access", async () => {
    for (const user of FIXTURE_USERS) {
      const [list, pgList] = await both((b) => b.memberships.list(user));
      expect(pgList, user).toEqual(list);
      for (const room of FIXTURE_ROOMS) {
        const [membership, pgMembership] = await both((b) => b.memberships.membership(user, room));
        expect(pgMembership, `${user} in ${room}`).toEqual(membership);
      }
    }
    expect((await postgres.memberships.list("u_bob")).length).toBe(FIXTURE_ROOMS.length + 1);
    for (const token of [...FIXTURE_SESSIONS, "no-such-session"]) {
      const [session, pgSession] = await both((b) => b.sessions.get(token));
      expect(pgSession, token).toEqual(session);
    }
    expect(await postgres.adminKey.get()).toBe(await sqlite.adminKey.get());
    expect(await postgres.addressSecret.get()).toBe("address-secret-of-the-test");
    for (const room of FIXTURE_ROOMS) {
      const [meta, pgMeta] = await both((b) => b.access.meta(room));
      expect(pgMeta, room).toEqual(meta);
      const [admin, pgAdmin] = await both((b) => b.access.roomAdmin({ room, actor: owner }));
      expect(pgAdmin, room).toEqual(admin);
    }
  });

  it("goes on where SQLite stopped: the next chat takes the next seq, a resend gets its original ack", async () => {
    const room = "a-room";
    const latest = await sqlite.messages.latestSeq(room);
    const next = await postgres.messages.append({
      room,
      actor: owner,
      clientMsgId: "after-the-move",
      kind: "chat",
      text: "first on PostgreSQL",
    });
    expect(next).toMatchObject({ ok: true, ack: { room, seq: latest + 1 } });
    // The dedupe keys came along: the owner's first chat sent again is a duplicate with its original ack.
    const firstChat = (await sqlite.messages.range(room, { after: 0, upTo: latest, limit: latest + 1 })).messages.find(
      (event) => event.type === "chat" && event.from.id === owner.id,
    );
    if (firstChat?.type !== "chat") throw new Error("the fixture has no chat by the owner");
    const resend = await postgres.messages.append({
      room,
      actor: owner,
      clientMsgId: firstChat.clientMsgId,
      kind: "chat",
      text: "a resend",
    });
    expect(resend).toMatchObject({ ok: true, duplicate: true, ack: { room, seq: firstChat.seq } });
    expect(await postgres.messages.latestSeq(room)).toBe(latest + 1);
  });
});
