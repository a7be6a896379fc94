import type { ChatFrame, User } from "@chatroom/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { BackendClosedError } from "../../src/backend/backend-closed-error";
import type { ChangeRequest } from "../../src/backend/message-store";
import type { BusEvent } from "../../src/backend/room-bus";
import { waitUntil } from "../support/wait-until";
import { describeAccessContract } from "./access-contract";
import { appendChat, chatOf, standing } from "./append-helpers";
import { describeChangesContract } from "./changes-contract";
import { describeMembershipContract } from "./membership-contract";
import { describeMentionsContract } from "./mentions-contract";

export interface BackendFactoryOptions {
  /** The clock the backend stamps `ts` with. */
  now: () => number;
}

export interface BackendHarness {
  backend: Backend;
  /**
   * Persistent backends only: closes the current backend and opens a new one on the same
   * storage, as a server restart would. The harness then owns (and cleans up) the new one.
   */
  restart?: () => Promise<Backend>;
  /** Closes whatever is open and removes the storage. */
  cleanup(): Promise<void>;
  /** Cluster backends only: opens another node on the same storage (the test closes it). */
  openPeer?: () => Promise<Backend>;
  /** Cluster backends only: cuts the room bus's connection, as a network failure would. */
  interruptBus?: () => Promise<void>;
}

export type BackendFactory = (options: BackendFactoryOptions) => Promise<BackendHarness>;

const alice: User = { id: "u_alice", name: "alice" };
const bob: User = { id: "u_bob", name: "bob" };

function request(room: string, from: User, clientMsgId: string, text = `text of ${clientMsgId}`): ChangeRequest {
  return { room, actor: from, clientMsgId, kind: "chat", text };
}

async function appendMany(backend: Backend, room: string, count: number, prefix = "m"): Promise<ChatFrame[]> {
  const results = await Promise.all(
    Array.from({ length: count }, (_, i) => appendChat(backend, request(room, alice, `${prefix}${i + 1}`))),
  );
  return results;
}

const seqs = (messages: Array<{ seq: number }>) => messages.map((message) => message.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

/**
 * The behaviour every `Backend` must share, registered as a vitest suite. Memory, SQLite,
 * PostgreSQL and the cluster (PostgreSQL + Redis traffic) each call this with a factory; persistent
 * ones also pass `restart` and `persistent`, a cluster `openPeer`, `interruptBus` and `cluster`:
 *
 *   describeBackendContract("postgres + redis", async ({ now }) => {
 *     await emptyDatabase(url);
 *     let backend = await openNode("node-a", now); // PgBackend.open({ url, traffic: await RedisTraffic.connect(...) })
 *     return {
 *       backend,
 *       openPeer: () => openNode("node-peer", now),
 *       interruptBus: () => redis.command("CLIENT", "KILL", "TYPE", "pubsub"),
 *       restart: async () => { await backend.close(); backend = await openNode("node-a", now); return backend; },
 *       cleanup: () => backend.close(),
 *     };
 *   }, { persistent: true, cluster: true });
 */
export function describeBackendContract(
  name: string,
  factory: BackendFactory,
  /** `persistent`: survives a restart; `cluster`: several nodes share it (the harness opens peers). */
  options: { persistent?: boolean; cluster?: boolean } = {},
): void {
  describe(`Backend contract: ${name}`, () => {
    let harness: BackendHarness;
    let backend: Backend;
    let clock = 1_700_000_000_000;

    beforeEach(async () => {
      clock = 1_700_000_000_000;
      harness = await factory({ now: () => clock });
      backend = harness.backend;
    });

    afterEach(async () => {
      await harness.cleanup();
    });

    describe("append and seq", () => {
      it("starts at 1 and counts up by exactly one per message", async () => {
        expect(await backend.messages.latestSeq("room-a")).toBe(0);
        const stored: ChatFrame[] = [];
        for (let i = 1; i <= 5; i++) {
          clock += 10;
          const result = await backend.messages.append(request("room-a", i % 2 ? alice : bob, `c${i}`, `hello ${i}`));
          expect(result).toMatchObject({ ok: true, duplicate: false, ack: { room: "room-a", seq: i, ts: clock } });
          stored.push(chatOf(result));
        }
        expect(seqs(stored)).toEqual([1, 2, 3, 4, 5]);
        expect(await backend.messages.latestSeq("room-a")).toBe(5);
        expect(stored[0]).toEqual({
          type: "chat",
          room: "room-a",
          seq: 1,
          id: stored[0]?.id,
          from: alice,
          text: "hello 1",
          ts: 1_700_000_000_010,
          clientMsgId: "c1",
        });
        expect(stored[1]?.from).toEqual(bob);
        expect(new Set(stored.map((message) => message.id)).size).toBe(5);
      });

      it("keeps a separate seq per room", async () => {
        await backend.messages.append(request("room-a", alice, "a1"));
        await backend.messages.append(request("room-b", alice, "b1"));
        await backend.messages.append(request("room-a", alice, "a2"));
        const b2 = chatOf(await backend.messages.append(request("room-b", bob, "b2")));
        expect(b2.seq).toBe(2);
        expect(await backend.messages.latestSeq("room-a")).toBe(2);
        expect(await backend.messages.latestSeq("room-b")).toBe(2);
        expect(await backend.messages.latestSeq("room-c")).toBe(0);
        const a = await backend.messages.range("room-a", { after: 0, upTo: 10, limit: 10 });
        expect(a.messages.map((message) => message.clientMsgId)).toEqual(["a1", "a2"]);
      });

      it("reads the latest seqs of many rooms at once: every room asked, 0 for one without events", async () => {
        await appendMany(backend, "many-a", 3, "a");
        await appendMany(backend, "many-b", 1, "b");
        expect(await backend.messages.latestSeqs([])).toEqual(new Map());
        const asked = ["many-a", "never-written", "many-b", "many-a"];
        expect(await backend.messages.latestSeqs(asked)).toEqual(
          new Map([
            ["many-a", 3],
            ["never-written", 0],
            ["many-b", 1],
          ]),
        );
        // More rooms than PostgreSQL is asked for in one query (LATEST_SEQS_PER_QUERY), the written ones last.
        const crowd = [...Array.from({ length: 2_500 }, (_, i) => `idle-${i}`), "many-b", "many-a"];
        const latest = await backend.messages.latestSeqs(crowd);
        expect(latest.size).toBe(crowd.length);
        expect([latest.get("idle-0"), latest.get("idle-2499"), latest.get("many-b"), latest.get("many-a")]).toEqual([0, 0, 1, 3]);
        for (const room of ["many-a", "many-b", "idle-7"]) {
          expect(latest.get(room)).toBe(await backend.messages.latestSeq(room));
        }
      });

      it("gives concurrent appends distinct, consecutive seqs", async () => {
        const stored = await appendMany(backend, "busy", 60);
        expect([...seqs(stored)].sort((x, y) => x - y)).toEqual(range(1, 60));
        expect(new Set(stored.map((message) => message.id)).size).toBe(60);
        const read = await backend.messages.range("busy", { after: 0, upTo: 60, limit: 100 });
        expect(seqs(read.messages)).toEqual(range(1, 60));
        for (const message of read.messages) {
          expect(standing(stored.find((original) => original.seq === message.seq))).toEqual(message);
        }
      });

      it("keeps the text exactly, unicode and newlines included", async () => {
        const text = "line one\nline two 🎉 ｆｕｌｌ \u202e";
        const message = await appendChat(backend, request("r", alice, "u1", text));
        const read = await backend.messages.range("r", { after: 0, upTo: 1, limit: 1 });
        expect(message.text).toBe(text);
        expect(read.messages[0]).toMatchObject({ type: "chat", text });
      });
    });

    describe("dedupe on (user id, clientMsgId)", () => {
      it("returns the original with duplicate=true and stores nothing new", async () => {
        const first = await backend.messages.append(request("r", alice, "same", "first text"));
        await backend.messages.append(request("r", bob, "other"));
        clock += 1_000;
        const again = await backend.messages.append(request("r", alice, "same", "different text"));
        if (!first.ok) throw new Error("the first send was refused");
        // The original event as the store holds it now: a chat as it stands, unchanged since.
        expect(again).toEqual({ ok: true, ack: first.ack, event: standing(chatOf(first)), duplicate: true });
        expect(await backend.messages.latestSeq("r")).toBe(2);
      });

      it("does not confuse two users with the same clientMsgId", async () => {
        const a = chatOf(await backend.messages.append(request("r", alice, "shared")));
        const b = await backend.messages.append(request("r", bob, "shared"));
        expect(b).toMatchObject({ ok: true, duplicate: false });
        expect(chatOf(b).seq).toBe(a.seq + 1);
      });

      it("holds across rooms: the key has no room in it", async () => {
        const a = await backend.messages.append(request("room-a", alice, "once"));
        const b = await backend.messages.append(request("room-b", alice, "once"));
        expect(b).toEqual({ ok: true, ack: { room: "room-a", seq: 1, ts: clock }, event: standing(chatOf(a)), duplicate: true });
        expect(await backend.messages.latestSeq("room-b")).toBe(0);
      });

      it("stores concurrent duplicates once", async () => {
        const results = await Promise.all([1, 2, 3].map(() => backend.messages.append(request("r", alice, "racy"))));
        expect(results.filter((result) => result.ok && !result.duplicate)).toHaveLength(1);
        for (const result of results) expect(result).toMatchObject({ ok: true, ack: { room: "r", seq: 1 } });
        expect(await backend.messages.latestSeq("r")).toBe(1);
      });
    });

    describe("range (welcome history and gap fill)", () => {
      beforeEach(async () => {
        await appendMany(backend, "r", 20);
      });

      it("after=0 returns everything, oldest first, complete", async () => {
        const result = await backend.messages.range("r", { after: 0, upTo: 20, limit: 500 });
        expect(seqs(result.messages)).toEqual(range(1, 20));
        expect(result.complete).toBe(true);
      });

      it("after=latest returns nothing, complete", async () => {
        expect(await backend.messages.range("r", { after: 20, upTo: 20, limit: 500 })).toEqual({ messages: [], complete: true });
      });

      it("after past the latest returns nothing, complete", async () => {
        expect(await backend.messages.range("r", { after: 35, upTo: 20, limit: 500 })).toEqual({ messages: [], complete: true });
        expect(await backend.messages.range("r", { after: 35, upTo: 40, limit: 500 })).toEqual({ messages: [], complete: true });
      });

      it("an after older than the limit gives the newest `limit`, complete=false", async () => {
        const result = await backend.messages.range("r", { after: 2, upTo: 20, limit: 5 });
        expect(seqs(result.messages)).toEqual(range(16, 20));
        expect(result.complete).toBe(false);
      });

      it("a range that exactly fits the limit is complete", async () => {
        const result = await backend.messages.range("r", { after: 15, upTo: 20, limit: 5 });
        expect(seqs(result.messages)).toEqual(range(16, 20));
        expect(result.complete).toBe(true);
      });

      it("never returns past upTo", async () => {
        const result = await backend.messages.range("r", { after: 5, upTo: 9, limit: 500 });
        expect(seqs(result.messages)).toEqual(range(6, 9));
        expect(result.complete).toBe(true);
        const capped = await backend.messages.range("r", { after: 0, upTo: 9, limit: 3 });
        expect(seqs(capped.messages)).toEqual([7, 8, 9]);
        expect(capped.complete).toBe(false);
      });

      it("an upTo past the latest is bounded by what is stored", async () => {
        const result = await backend.messages.range("r", { after: 18, upTo: 1_000, limit: 500 });
        expect(seqs(result.messages)).toEqual([19, 20]);
        expect(result.complete).toBe(true);
      });

      it("an unknown room is empty and complete", async () => {
        expect(await backend.messages.range("nowhere", { after: 0, upTo: 0, limit: 50 })).toEqual({ messages: [], complete: true });
      });
    });

    it("range with since older than 500 back gives the newest 500, complete=false", async () => {
      await appendMany(backend, "long", 620);
      const result = await backend.messages.range("long", { after: 10, upTo: 620, limit: 500 });
      expect(seqs(result.messages)).toEqual(range(121, 620));
      expect(result.complete).toBe(false);
    });

    describe("before (history paging)", () => {
      beforeEach(async () => {
        await appendMany(backend, "r", 25);
      });

      it("returns the newest `limit` below `before`, oldest first, with hasOlder", async () => {
        const page = await backend.messages.before("r", 26, 10);
        expect(seqs(page.messages)).toEqual(range(16, 25));
        expect(page.hasOlder).toBe(true);
      });

      it("pages down to the first message exactly once each", async () => {
        const seen: number[] = [];
        let before = 26;
        let pages = 0;
        for (;;) {
          const page = await backend.messages.before("r", before, 7);
          pages++;
          seen.unshift(...seqs(page.messages));
          if (!page.hasOlder) break;
          before = page.messages[0]?.seq ?? 0;
        }
        expect(seen).toEqual(range(1, 25));
        expect(pages).toBe(4);
      });

      it("hasOlder is false when the page reaches seq 1", async () => {
        expect(await backend.messages.before("r", 4, 3).then((page) => [seqs(page.messages), page.hasOlder])).toEqual([[1, 2, 3], false]);
        expect(await backend.messages.before("r", 5, 3).then((page) => [seqs(page.messages), page.hasOlder])).toEqual([[2, 3, 4], true]);
      });

      it("before=1 and before=0 are empty; a before past the latest is bounded", async () => {
        expect(await backend.messages.before("r", 1, 10)).toEqual({ messages: [], hasOlder: false });
        expect(await backend.messages.before("r", 0, 10)).toEqual({ messages: [], hasOlder: false });
        const page = await backend.messages.before("r", 1_000, 3);
        expect(seqs(page.messages)).toEqual([23, 24, 25]);
        expect(page.hasOlder).toBe(true);
        expect(await backend.messages.before("nowhere", 10, 10)).toEqual({ messages: [], hasOlder: false });
      });
    });

    describe("after (filling a gap forward)", () => {
      beforeEach(async () => {
        await appendMany(backend, "r", 25);
      });

      it("returns the oldest `limit` after `after`, oldest first, with hasNewer", async () => {
        const page = await backend.messages.after("r", 3, 25, 5);
        expect(seqs(page.messages)).toEqual(range(4, 8));
        expect(page.hasNewer).toBe(true);
      });

      it("pages up to upTo exactly once each", async () => {
        const seen: number[] = [];
        let after = 0;
        let pages = 0;
        for (;;) {
          const page = await backend.messages.after("r", after, 25, 7);
          pages++;
          seen.push(...seqs(page.messages));
          if (!page.hasNewer) break;
          after = page.messages.at(-1)?.seq ?? 25;
        }
        expect(seen).toEqual(range(1, 25));
        expect(pages).toBe(4);
      });

      it("never returns past upTo, and hasNewer only counts events up to it", async () => {
        const page = await backend.messages.after("r", 5, 9, 10);
        expect(seqs(page.messages)).toEqual(range(6, 9));
        expect(page.hasNewer).toBe(false);
        const exact = await backend.messages.after("r", 5, 9, 4);
        expect(seqs(exact.messages)).toEqual(range(6, 9));
        expect(exact.hasNewer).toBe(false);
        const short = await backend.messages.after("r", 5, 9, 3);
        expect(seqs(short.messages)).toEqual([6, 7, 8]);
        expect(short.hasNewer).toBe(true);
      });

      it("an upTo past the latest is bounded by what is stored", async () => {
        const page = await backend.messages.after("r", 20, 1_000, 3);
        expect(seqs(page.messages)).toEqual([21, 22, 23]);
        expect(page.hasNewer).toBe(true);
        const rest = await backend.messages.after("r", 23, 1_000, 3);
        expect(seqs(rest.messages)).toEqual([24, 25]);
        expect(rest.hasNewer).toBe(false);
      });

      it("after at or past upTo is empty with nothing newer; an unknown room is empty", async () => {
        expect(await backend.messages.after("r", 25, 25, 10)).toEqual({ messages: [], hasNewer: false });
        expect(await backend.messages.after("r", 30, 25, 10)).toEqual({ messages: [], hasNewer: false });
        expect(await backend.messages.after("r", 9, 9, 10)).toEqual({ messages: [], hasNewer: false });
        expect(await backend.messages.after("nowhere", 0, 10, 10)).toEqual({ messages: [], hasNewer: false });
      });

      it("returns the stored events themselves, as range does", async () => {
        const viaRange = await backend.messages.range("r", { after: 10, upTo: 14, limit: 4 });
        const viaAfter = await backend.messages.after("r", 10, 14, 4);
        expect(viaAfter.messages).toEqual(viaRange.messages);
      });
    });

    describe("sessions", () => {
      it("saves, reads and updates a session", async () => {
        expect(await backend.sessions.get("token-unknown-000")).toBeUndefined();
        await backend.sessions.save("token-a-0000000000", { userId: "u1", name: "alice" });
        await backend.sessions.save("token-b-0000000000", { userId: "u2", name: "bob" });
        expect(await backend.sessions.get("token-a-0000000000")).toEqual({ userId: "u1", name: "alice" });
        await backend.sessions.save("token-a-0000000000", { userId: "u1", name: "alicia" });
        expect(await backend.sessions.get("token-a-0000000000")).toEqual({ userId: "u1", name: "alicia" });
        expect(await backend.sessions.get("token-b-0000000000")).toEqual({ userId: "u2", name: "bob" });
      });

      it("returns a copy, not live state", async () => {
        const record = { userId: "u1", name: "alice" };
        await backend.sessions.save("token-c-0000000000", record);
        record.name = "mutated";
        expect(await backend.sessions.get("token-c-0000000000")).toEqual({ userId: "u1", name: "alice" });
      });
    });

    describe("lifecycle", () => {
      it("is ready while open and not after close; appends and session saves after close fail", async () => {
        expect(await backend.isReady()).toBe(true);
        expect(backend.kind).toMatch(/\S/);
        expect(backend.nodeId).toMatch(/\S/);
        await backend.close();
        expect(await backend.isReady()).toBe(false);
        await expect(backend.messages.append(request("r", alice, "late"))).rejects.toThrow(BackendClosedError);
        await expect(backend.sessions.save("token-late-0000000", { userId: "u1", name: "late" })).rejects.toThrow(BackendClosedError);
      });

      it("a pending append is committed before close resolves", async () => {
        const pending = backend.messages.append(request("r", alice, "in-flight"));
        await backend.close();
        expect(await pending).toMatchObject({ ok: true, ack: { seq: 1 } });
      });
    });

    describe("room bus", () => {
      /** Another node stores a chat in `room`; expects it to be the one event this node's room gets. */
      async function expectPeerChat(room: string, events: BusEvent[], clientMsgId: string): Promise<void> {
        const peer = await harness.openPeer?.();
        if (!peer) throw new Error("a cluster backend's harness must provide openPeer()");
        try {
          const event = await appendChat(peer, request(room, bob, clientMsgId));
          await waitUntil(() => events.length > 0, { what: `the other node's chat in ${room}` });
          expect(events).toEqual([{ kind: "event", origin: peer.nodeId, event }]);
        } finally {
          await peer.close();
        }
      }

      it("never hands a room this node's own events", async () => {
        const events: BusEvent[] = [];
        const unsubscribe = await backend.bus.subscribe("r", { event: (event) => events.push(event), resync: () => {} });
        await backend.bus.publishTyping("r", alice, true);
        await backend.messages.append(request("r", alice, "own"));
        // On a cluster, another node's event comes after this node's own on the same channel:
        // once it is here, this node's own would have been too.
        if (options.cluster) await expectPeerChat("r", events, "theirs");
        else expect(events).toEqual([]);
        await unsubscribe();
      });

      if (options.cluster) {
        it("after losing its connection, asks every subscribed room to resync once it is subscribed again", async () => {
          const { interruptBus } = harness;
          if (!interruptBus) throw new Error("a cluster backend's harness must provide interruptBus()");
          const resyncs: string[] = [];
          const events: BusEvent[] = [];
          for (const room of ["r1", "r2"]) {
            await backend.bus.subscribe(room, { event: (event) => events.push(event), resync: () => resyncs.push(room) });
          }
          await interruptBus();
          await waitUntil(() => resyncs.length === 2, { what: "both rooms to resync" });
          expect(resyncs.sort()).toEqual(["r1", "r2"]);
          // Subscribed again by then: a chat another node stores now reaches the room.
          await expectPeerChat("r1", events, "after-resync");
        });
      }
    });

    describeChangesContract({
      backend: () => backend,
      clock: {
        now: () => clock,
        advance: (ms) => {
          clock += ms;
        },
      },
    });

    describeAccessContract({
      backend: () => backend,
      harness: () => harness,
      clock: {
        now: () => clock,
        advance: (ms) => {
          clock += ms;
        },
      },
    });

    describeMentionsContract({ backend: () => backend, harness: () => harness, persistent: options.persistent ?? false });
    describeMembershipContract({
      backend: () => backend,
      harness: () => harness,
      persistent: options.persistent ?? false,
      cluster: options.cluster ?? false,
    });

    if (options.persistent) {
      describe("across a restart", () => {
        it("seq keeps counting, dedupe, history and sessions survive", async () => {
          const restart = harness.restart;
          if (!restart) throw new Error("a persistent backend's harness must provide restart()");
          const before = await appendMany(backend, "r", 10);
          await backend.messages.append(request("other", bob, "o1"));
          await backend.sessions.save("token-persist-0000", { userId: "u9", name: "nine" });

          backend = await restart();
          expect(await backend.messages.latestSeq("r")).toBe(10);
          const next = await backend.messages.append(request("r", bob, "after-restart"));
          expect(next).toMatchObject({ ok: true, duplicate: false, ack: { seq: 11 } });
          const dup = await backend.messages.append(request("r", alice, "m4"));
          const m4 = before.find((message) => message.clientMsgId === "m4") as ChatFrame;
          expect(dup).toEqual({ ok: true, ack: { room: "r", seq: m4.seq, ts: m4.ts }, event: standing(m4), duplicate: true });
          const all = await backend.messages.range("r", { after: 0, upTo: 100, limit: 100 });
          expect(seqs(all.messages)).toEqual(range(1, 11));
          for (const message of before) expect(all.messages[message.seq - 1]).toEqual(standing(message));
          expect(await backend.messages.latestSeq("other")).toBe(1);
          expect(await backend.sessions.get("token-persist-0000")).toEqual({ userId: "u9", name: "nine" });
          const ids = new Set(all.messages.map((message) => (message.type === "chat" ? message.id : "")));
          expect(ids.size).toBe(11);
        });
      });
    }
  });
}
