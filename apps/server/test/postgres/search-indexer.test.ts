import type { User } from "@chatroom/protocol";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { PgBackend, type PgBackendOptions } from "../../src/backend/postgres/pg-backend";
import { changeOf, chatOf } from "../contract/append-helpers";
import { parsed } from "../contract/search/search-oracle";
import { emptyDatabase } from "../support/empty-database";
import { HELD_INDEXER } from "../support/pg-indexer-state";
import { type PostgresProcess, startPostgres } from "../support/postgres-process";
import { waitUntil } from "../support/wait-until";

const alice: User = { id: "u_alice", name: "alice" };

describe("PostgreSQL search indexer (migration 4's backlog)", () => {
  let server: PostgresProcess;
  const open: PgBackend[] = [];

  beforeAll(async () => {
    server = await startPostgres({ database: "search_indexer" });
  }, 60_000);
  afterAll(async () => {
    for (const backend of open.splice(0)) await backend.close();
    await server?.stop();
  });
  beforeEach(async () => {
    for (const backend of open.splice(0)) await backend.close();
    await emptyDatabase(server.url);
  });

  async function backend(options: Partial<PgBackendOptions> = HELD_INDEXER): Promise<PgBackend> {
    const opened = await PgBackend.open({ nodeId: `node-${open.length}`, url: server.url, poolMax: 4, ...options });
    open.push(opened);
    return opened;
  }
  const count = async (sql: string) => Number(await server.psql(sql));
  const backlog = () => count("SELECT count(*) FROM search_backlog");
  const docs = () => count("SELECT count(*) FROM search_docs");
  const found = async (node: PgBackend, raw: string, room = "lobby") => {
    const page = await node.search.search({ query: parsed(raw), rooms: [room], limit: 50 });
    return page.hits.map((hit) => hit.seq);
  };
  const send = async (node: PgBackend, text: string, room = "lobby") =>
    chatOf(await node.messages.append({ room, actor: alice, clientMsgId: `c-${Math.random()}`, kind: "chat", text })).seq;
  const edit = async (node: PgBackend, seq: number, text: string, room = "lobby") =>
    changeOf(await node.messages.append({ room, actor: alice, clientMsgId: `e-${Math.random()}`, kind: "edit", target: seq, text }));
  const remove = async (node: PgBackend, seq: number, room = "lobby") =>
    changeOf(await node.messages.append({ room, actor: alice, clientMsgId: `d-${Math.random()}`, kind: "delete", target: seq }));

  it("a tick only queues its chats: an acked chat is found at once, before the indexer runs, and after", async () => {
    const node = await backend();
    const seq = await send(node, "Deploy the 测试 build");
    expect(await docs(), "the tick wrote no search_docs row").toBe(0);
    expect(await backlog()).toBe(1);
    expect(await found(node, "deploy")).toEqual([seq]);
    expect(await found(node, "测试")).toEqual([seq]);
    expect(await node.searchIndexer.catchUp()).toBe(1);
    expect(await backlog()).toBe(0);
    expect(await server.psql("SELECT body FROM search_docs")).toBe("deploy the 测试 build");
    expect(await found(node, "deploy")).toEqual([seq]);
  });

  it("an edit or delete while queued: found by the new text only, a deleted chat never; the index gets only what stands", async () => {
    const node = await backend();
    const kept = await send(node, "alpha one");
    const gone = await send(node, "beta two");
    await edit(node, kept, "gamma one");
    await remove(node, gone);
    expect(await found(node, "alpha")).toEqual([]);
    expect(await found(node, "gamma")).toEqual([kept]);
    expect(await found(node, "beta")).toEqual([]);
    expect(await found(node, "one")).toEqual([kept]);
    await node.searchIndexer.catchUp();
    expect(await server.psql("SELECT string_agg(seq || '=' || body, ',') FROM search_docs")).toBe(`${kept}=gamma one`);
    // Indexed, then edited: the index still holds the old text, the backlog the chat again.
    await edit(node, kept, "delta one");
    expect(await found(node, "gamma"), "the old text's index row proposes it; the matcher reads the new text").toEqual([]);
    expect(await found(node, "delta"), "found through the backlog").toEqual([kept]);
    expect(await found(node, "one"), "in both: counted once").toEqual([kept]);
    await remove(node, kept);
    expect(await found(node, "one")).toEqual([]);
    await node.searchIndexer.catchUp();
    expect(await docs()).toBe(0);
  });

  it("two nodes draining one backlog while chats are edited never lose or double a doc", async () => {
    const writer = await backend();
    const total = 600;
    const rooms = ["r-a", "r-b", "r-c"];
    const seqs = await Promise.all(
      Array.from({ length: total }, (_, i) =>
        send(writer, `chat ${i} first`, rooms[i % 3]).then((seq) => ({ room: rooms[i % 3] as string, seq })),
      ),
    );
    expect(await backlog()).toBe(total);
    const a = await backend({ searchIndexer: { mode: "manual", sliceSize: 25 } });
    const b = await backend({ searchIndexer: { mode: "manual", sliceSize: 40 } });
    // Both drain while the writer edits every third chat and deletes every seventh.
    const changes = (async () => {
      for (const [i, { room, seq }] of seqs.entries()) {
        if (i % 7 === 0) await remove(writer, seq, room);
        else if (i % 3 === 0) await edit(writer, seq, `chat ${i} second`, room);
      }
    })();
    /** Slices while the writer changes chats, then the rest. */
    const racing = async (node: PgBackend) => {
      let taken = 0;
      let writing = true;
      void changes.finally(() => {
        writing = false;
      });
      while (writing) taken += await node.searchIndexer.indexSlice();
      return taken + (await node.searchIndexer.catchUp());
    };
    const queuedBefore = total + seqs.filter((_, i) => i % 7 === 0 || i % 3 === 0).length;
    const [takenA, takenB] = await Promise.all([racing(a), racing(b), changes]);
    expect(takenA, "node A took slices").toBeGreaterThan(0);
    expect(takenB, "node B took slices").toBeGreaterThan(0);
    expect((takenA as number) + (takenB as number), "every queued row taken exactly once").toBe(queuedBefore);
    expect(await backlog()).toBe(0);
    // Every chat with text has exactly its current text indexed (ASCII: the fold is lower()); deleted ones none.
    const mismatched = await server.psql(`SELECT count(*) FROM chats c FULL JOIN search_docs d ON d.room = c.room AND d.seq = c.seq
      WHERE (c.text IS NULL) <> (d.body IS NULL) OR d.body <> lower(c.text)`);
    expect(mismatched).toBe("0");
    const expected = seqs.filter((_, i) => i % 7 !== 0).length;
    expect(await docs()).toBe(expected);
  });

  it("a slice that read a chat before it changed cannot write over the slice that read the change", async () => {
    const writer = await backend();
    const seq = await send(writer, "version one");
    // Node A takes the chat's first row, reads "version one", and is held before it writes.
    let release = () => {};
    let held = false;
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const a = await backend({
      searchIndexer: {
        mode: "manual",
        afterRead: async () => {
          held = true;
          await hold;
        },
      },
    });
    const b = await backend();
    const sliceA = a.searchIndexer.indexSlice();
    await waitUntil(() => held, { what: "node A holds its slice after the read" });
    // The chat changes; node B takes that change's row and must wait for A's chat lock.
    await edit(writer, seq, "version two");
    const sliceB = b.searchIndexer.indexSlice();
    await waitUntil(async () => (await count("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted")) === 1, {
      what: "node B waits for the chat's lock",
    });
    release();
    expect(await Promise.all([sliceA, sliceB])).toEqual([1, 1]);
    expect(await server.psql("SELECT body FROM search_docs")).toBe("version two");
  });

  it("closing lets the slice under way commit before the pool ends", async () => {
    let release = () => {};
    let held = false;
    const hold = new Promise<void>((resolve) => {
      release = resolve;
    });
    const node = await backend({
      searchIndexer: {
        afterRead: async () => {
          held = true;
          await hold;
        },
      },
    });
    await send(node, "indexed while closing");
    await waitUntil(() => held, { what: "the indexer, woken by the commit, holds its slice" });
    const closing = node.close();
    release();
    await closing;
    open.splice(open.indexOf(node), 1);
    expect(await docs()).toBe(1);
    expect(await backlog()).toBe(0);
  });

  it("drains at open a backlog a crash left, and reports a failed slice through onError, retried later", async () => {
    const held = await backend();
    for (let i = 0; i < 30; i++) await send(held, `crash survivor ${i}`);
    await server.crash();
    await server.restart();
    await held.close().catch(() => {});
    open.splice(open.indexOf(held), 1);
    expect(await backlog()).toBe(30);
    // search_docs refuses rows for now: the slice fails, is reported, and the backlog stays.
    await server.psql("ALTER TABLE search_docs ADD CONSTRAINT refuse_all CHECK (false) NOT VALID");
    const failures: string[] = [];
    const node = await backend({ searchIndexer: { retryMs: 50 }, onError: (_error, context) => failures.push(context) });
    await waitUntil(() => failures.length > 0, { what: "the failed slice reported" });
    expect(failures[0]).toMatch(/search indexer: a slice failed/);
    expect(await backlog()).toBe(30);
    expect(await found(node, "survivor")).toHaveLength(30);
    await server.psql("ALTER TABLE search_docs DROP CONSTRAINT refuse_all");
    await waitUntil(async () => (await backlog()) === 0, { what: "the retry drains the backlog", timeoutMs: 30_000 });
    expect(await docs()).toBe(30);
    expect(await found(node, "survivor")).toHaveLength(30);
  });
});
