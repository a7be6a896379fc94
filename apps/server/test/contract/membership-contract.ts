import type { User } from "@chatroom/protocol";
import { describe, expect, it } from "vitest";
import type { Backend } from "../../src/backend/backend";
import { BackendClosedError } from "../../src/backend/backend-closed-error";
import { appendChat, changesIn } from "./append-helpers";
import type { BackendHarness } from "./backend-contract";

/** What the membership suite needs from the enclosing backend contract (read per test). */
export interface MembershipContractContext {
  backend(): Backend;
  harness(): BackendHarness;
  persistent: boolean;
  cluster: boolean;
}

const alice: User = { id: "u_alice", name: "alice" };
const bob: User = { id: "u_bob", name: "bob" };
// Shares a prefix with alice's id: her own-message count must not pick up this user's.
const alicia: User = { id: "u_alice2", name: "alicia" };
const bound = { maxRooms: 50 };

let sent = 0;

/** Appends `count` messages from `from` to `room`; returns the seq of the last. */
async function post(backend: Backend, room: string, from: User, count = 1): Promise<number> {
  let seq = 0;
  for (let i = 0; i < count; i++) {
    seq = (await appendChat(backend, { room, actor: from, kind: "chat", text: "hi", clientMsgId: `mc${sent++}` })).seq;
  }
  return seq;
}

/**
 * Memberships and read markers (protocol 2), registered inside `describeBackendContract` so
 * every backend runs them: memory, SQLite (with a restart) and PostgreSQL (with a restart, and a peer on the cluster).
 */
export function describeMembershipContract(context: MembershipContractContext): void {
  describe("memberships", () => {
    it("join, list, leave; a second join or leave changes nothing", async () => {
      const backend = context.backend();
      expect(await backend.memberships.list(alice.id)).toEqual([]);
      expect(await backend.memberships.join(alice.id, "lobby", bound)).toBe("joined");
      expect(await backend.memberships.join(alice.id, "lobby", bound)).toBe("already");
      expect(await backend.memberships.join(alice.id, "den", bound)).toBe("joined");
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "den", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
        { room: "lobby", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
      ]);
      expect(await backend.memberships.list(bob.id)).toEqual([]);
      expect(await backend.memberships.leave(alice.id, "lobby")).toBe(true);
      expect(await backend.memberships.leave(alice.id, "lobby")).toBe(false);
      expect(await backend.memberships.leave(bob.id, "den")).toBe(false);
      expect((await backend.memberships.list(alice.id)).map((m) => m.room)).toEqual(["den"]);
    });

    it("a new membership starts read up to the room's latest seq, so old history is not unread", async () => {
      const backend = context.backend();
      await post(backend, "busy", bob, 3);
      expect(await backend.memberships.join(alice.id, "busy", bound)).toBe("joined");
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "busy", latestSeq: 3, readSeq: 3, unread: 0, unreadMentions: 0, notify: "mentions" },
      ]);
      await post(backend, "busy", bob, 2);
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "busy", latestSeq: 5, readSeq: 3, unread: 2, unreadMentions: 0, notify: "mentions" },
      ]);
    });

    it("counts unread exactly: other users' messages after the marker, never the user's own", async () => {
      const backend = context.backend();
      await backend.memberships.join(alice.id, "r", bound);
      await backend.memberships.join(alice.id, "quiet", bound);
      const senders = [bob, alice, alicia, alice, bob, bob, alice, alicia];
      for (const from of senders) await post(backend, "r", from);
      await post(backend, "elsewhere", bob, 4);
      const othersAfter = (readSeq: number) => senders.slice(readSeq).filter((from) => from !== alice).length;
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "quiet", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
        { room: "r", latestSeq: 8, readSeq: 0, unread: othersAfter(0), unreadMentions: 0, notify: "mentions" },
      ]);
      for (const readSeq of [2, 5, 7, 8]) {
        expect(await backend.memberships.markRead(alice.id, "r", readSeq)).toBe(readSeq);
        const [, r] = await backend.memberships.list(alice.id);
        expect(r).toEqual({ room: "r", latestSeq: 8, readSeq, unread: othersAfter(readSeq), unreadMentions: 0, notify: "mentions" });
      }
      // Alice's own message after her marker is read by definition; bob's is not.
      await post(backend, "r", alice);
      expect((await backend.memberships.list(alice.id))[1]?.unread).toBe(0);
      await post(backend, "r", bob);
      expect((await backend.memberships.list(alice.id))[1]).toEqual({
        room: "r",
        latestSeq: 10,
        readSeq: 8,
        unread: 1,
        unreadMentions: 0,
        notify: "mentions",
      });
    });

    it("unread counts chats only: not edits, deletions or reactions, and not a chat deleted since", async () => {
      const backend = context.backend();
      await backend.memberships.join(alice.id, "r", bound);
      const first = await post(backend, "r", bob, 3);
      const changes = changesIn(backend, "r");
      await changes.edit(bob, first, "edited");
      await changes.react(bob, first, "👍");
      await changes.react(alice, first, "🎉");
      await changes.remove(bob, first - 1);
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "r", latestSeq: 7, readSeq: 0, unread: 2, unreadMentions: 0, notify: "mentions" },
      ]);
      await changes.remove(bob, first);
      await backend.memberships.markRead(alice.id, "r", 2);
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "r", latestSeq: 8, readSeq: 2, unread: 0, unreadMentions: 0, notify: "mentions" },
      ]);
    });

    it("the read marker only moves forward, and is clamped to the room's latest seq", async () => {
      const backend = context.backend();
      await backend.memberships.join(alice.id, "r", bound);
      await post(backend, "r", bob, 10);
      expect(await backend.memberships.markRead(alice.id, "r", 6)).toBe(6);
      expect(await backend.memberships.markRead(alice.id, "r", 3)).toBe(6);
      expect(await backend.memberships.markRead(alice.id, "r", 6)).toBe(6);
      expect(await backend.memberships.markRead(alice.id, "r", 1_000)).toBe(10);
      // The clamp was stored: a message sent afterwards is unread.
      await post(backend, "r", bob);
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "r", latestSeq: 11, readSeq: 10, unread: 1, unreadMentions: 0, notify: "mentions" },
      ]);
    });

    it("readSeq reads one membership's marker, undefined when not a member", async () => {
      const backend = context.backend();
      await post(backend, "r", bob, 4);
      expect(await backend.memberships.readSeq(alice.id, "r")).toBeUndefined();
      await backend.memberships.join(alice.id, "r", bound);
      expect(await backend.memberships.readSeq(alice.id, "r")).toBe(4);
      await post(backend, "r", bob, 2);
      await backend.memberships.markRead(alice.id, "r", 5);
      expect(await backend.memberships.readSeq(alice.id, "r")).toBe(5);
      expect(await backend.memberships.readSeq(bob.id, "r")).toBeUndefined();
      await backend.memberships.leave(alice.id, "r");
      expect(await backend.memberships.readSeq(alice.id, "r")).toBeUndefined();
    });

    it("markRead of a room the user has not joined changes nothing", async () => {
      const backend = context.backend();
      await post(backend, "r", bob, 2);
      expect(await backend.memberships.markRead(alice.id, "r", 2)).toBeUndefined();
      expect(await backend.memberships.list(alice.id)).toEqual([]);
    });

    it("leave forgets the marker: joining again starts at the latest seq", async () => {
      const backend = context.backend();
      await backend.memberships.join(alice.id, "r", bound);
      await post(backend, "r", bob, 4);
      await backend.memberships.markRead(alice.id, "r", 1);
      await backend.memberships.leave(alice.id, "r");
      await post(backend, "r", bob, 2);
      expect(await backend.memberships.join(alice.id, "r", bound)).toBe("joined");
      expect(await backend.memberships.list(alice.id)).toEqual([
        { room: "r", latestSeq: 6, readSeq: 6, unread: 0, unreadMentions: 0, notify: "mentions" },
      ]);
    });

    it("maxRooms bounds a user's memberships; a room already joined is still 'already'; leaving frees a slot", async () => {
      const backend = context.backend();
      const three = { maxRooms: 3 };
      for (const room of ["a", "b", "c"]) expect(await backend.memberships.join(alice.id, room, three)).toBe("joined");
      expect(await backend.memberships.join(alice.id, "d", three)).toBe("too_many");
      expect(await backend.memberships.join(alice.id, "b", three)).toBe("already");
      expect(await backend.memberships.join(bob.id, "d", three)).toBe("joined");
      expect((await backend.memberships.list(alice.id)).map((m) => m.room)).toEqual(["a", "b", "c"]);
      await backend.memberships.leave(alice.id, "a");
      expect(await backend.memberships.join(alice.id, "d", three)).toBe("joined");
      expect((await backend.memberships.list(alice.id)).map((m) => m.room)).toEqual(["b", "c", "d"]);
    });

    it("concurrent joins racing for the last slots: exactly as many win as there are slots", async () => {
      const backend = context.backend();
      await backend.memberships.join(alice.id, "first", { maxRooms: 2 });
      const two = await Promise.all(["x", "y"].map((room) => backend.memberships.join(alice.id, room, { maxRooms: 2 })));
      expect([...two].sort()).toEqual(["joined", "too_many"]);
      expect(await backend.memberships.list(alice.id)).toHaveLength(2);

      const rooms = Array.from({ length: 12 }, (_, i) => `race-${i}`);
      const many = await Promise.all(rooms.map((room) => backend.memberships.join(bob.id, room, { maxRooms: 5 })));
      expect(many.filter((outcome) => outcome === "joined")).toHaveLength(5);
      expect(many.filter((outcome) => outcome === "too_many")).toHaveLength(7);
      expect(await backend.memberships.list(bob.id)).toHaveLength(5);

      const same = await Promise.all([1, 2, 3].map(() => backend.memberships.join(alicia.id, "same", bound)));
      expect([...same].sort()).toEqual(["already", "already", "joined"]);
    });

    it("a pending join is kept when close comes right after it", async () => {
      const backend = context.backend();
      const pending = backend.memberships.join(alice.id, "r", bound);
      await backend.close();
      expect(await pending).toBe("joined");
    });

    it("rejects every call after close with BackendClosedError", async () => {
      const backend = context.backend();
      await backend.memberships.join(alice.id, "r", bound);
      await backend.close();
      await expect(backend.memberships.join(alice.id, "s", bound)).rejects.toThrow(BackendClosedError);
      await expect(backend.memberships.leave(alice.id, "r")).rejects.toThrow(BackendClosedError);
      await expect(backend.memberships.list(alice.id)).rejects.toThrow(BackendClosedError);
      await expect(backend.memberships.readSeq(alice.id, "r")).rejects.toThrow(BackendClosedError);
      await expect(backend.memberships.markRead(alice.id, "r", 1)).rejects.toThrow(BackendClosedError);
    });

    if (context.persistent) {
      it("memberships, markers and the bound survive a restart", async () => {
        const restart = context.harness().restart;
        if (!restart) throw new Error("a persistent backend's harness must provide restart()");
        let backend = context.backend();
        await backend.memberships.join(alice.id, "r", { maxRooms: 2 });
        await backend.memberships.join(alice.id, "s", { maxRooms: 2 });
        await post(backend, "r", bob, 5);
        await post(backend, "r", alice, 1);
        await backend.memberships.markRead(alice.id, "r", 2);

        backend = await restart();
        expect(await backend.memberships.list(alice.id)).toEqual([
          { room: "r", latestSeq: 6, readSeq: 2, unread: 3, unreadMentions: 0, notify: "mentions" },
          { room: "s", latestSeq: 0, readSeq: 0, unread: 0, unreadMentions: 0, notify: "mentions" },
        ]);
        expect(await backend.memberships.join(alice.id, "t", { maxRooms: 2 })).toBe("too_many");
        expect(await backend.memberships.readSeq(alice.id, "r")).toBe(2);
        expect(await backend.memberships.markRead(alice.id, "r", 1)).toBe(2);
        expect(await backend.memberships.markRead(alice.id, "r", 6)).toBe(6);
      });
    }

    if (context.cluster) {
      it("every node sees the same memberships, and the bound holds across nodes", async () => {
        const peer = await context.harness().openPeer?.();
        if (!peer) throw new Error("a cluster backend's harness must provide openPeer()");
        const backend = context.backend();
        try {
          await backend.memberships.join(alice.id, "r", { maxRooms: 2 });
          await post(peer, "r", bob, 2);
          const racing = await Promise.all([
            backend.memberships.join(alice.id, "here", { maxRooms: 2 }),
            peer.memberships.join(alice.id, "there", { maxRooms: 2 }),
          ]);
          expect([...racing].sort()).toEqual(["joined", "too_many"]);
          expect(await peer.memberships.markRead(alice.id, "r", 1)).toBe(1);
          const fromHere = await backend.memberships.list(alice.id);
          expect(fromHere.find((m) => m.room === "r")).toEqual({
            room: "r",
            latestSeq: 2,
            readSeq: 1,
            unread: 1,
            unreadMentions: 0,
            notify: "mentions",
          });
          expect(await peer.memberships.list(alice.id)).toEqual(fromHere);
        } finally {
          await peer.close();
        }
      });
    }
  });
}
