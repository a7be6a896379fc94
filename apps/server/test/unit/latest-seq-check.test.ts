import { describe, expect, it } from "vitest";
import { MemoryBackend } from "../../src/backend/memory/memory-backend";
import { createChatDeps } from "../../src/chat/deps";
import { ChatHub } from "../../src/chat/hub";
import { testConfig } from "../../src/config";
import { FakeClock } from "../support/fake-clock";
import { waitUntil } from "../support/wait-until";

const CHECK_MS = 2_000;
const ROOMS = 50;
const silent = { info() {}, warn() {}, error() {} };

/** A real memory store whose reads of latest seqs and ranges are counted, as a node's queries to PostgreSQL would be. */
function countedBackend() {
  const backend = new MemoryBackend({ nodeId: "node-a" });
  const store = backend.messages;
  const asked = { latestSeqs: [] as string[][], latestSeq: 0, range: [] as string[] };
  const latestSeqs = store.latestSeqs.bind(store);
  const latestSeq = store.latestSeq.bind(store);
  const range = store.range.bind(store);
  store.latestSeqs = (rooms) => {
    asked.latestSeqs.push([...rooms]);
    return latestSeqs(rooms);
  };
  store.latestSeq = (room) => {
    asked.latestSeq++;
    return latestSeq(room);
  };
  store.range = (room, query) => {
    asked.range.push(room);
    return range(room, query);
  };
  return { backend, asked };
}

async function servingRooms(count: number) {
  const { backend, asked } = countedBackend();
  const clock = new FakeClock();
  const deps = createChatDeps({ limits: testConfig().limits, logger: silent, timers: clock });
  const hub = new ChatHub({ backend, deps, seqCheckMs: CHECK_MS });
  const names = Array.from({ length: count }, (_, i) => `room-${i}`);
  for (const name of names) await hub.activate(name);
  return { backend, asked, clock, hub, names };
}

/** Another node's commit: in the shared store, and never heard of here (it did not publish). */
async function commitElsewhere(backend: MemoryBackend, room: string, clientMsgId: string): Promise<number> {
  const result = await backend.messages.append({ room, actor: { id: "u_far", name: "far" }, clientMsgId, kind: "chat", text: clientMsgId });
  if (!result.ok) throw new Error(`append refused: ${result.code}`);
  return result.ack.seq;
}

describe("the latest-seq check of the rooms a node serves", () => {
  it(`costs one store read per period for ${ROOMS} rooms, and fills only the room the store is ahead of`, async () => {
    const { backend, asked, clock, hub, names } = await servingRooms(ROOMS);
    const readsToActivate = asked.latestSeq;
    expect(await commitElsewhere(backend, "room-7", "lost-1")).toBe(1);
    expect(await commitElsewhere(backend, "room-7", "lost-2")).toBe(2);
    expect(hub.active("room-7")?.deliveredSeq).toBe(0);

    clock.advance(CHECK_MS - 1);
    expect(asked.latestSeqs).toEqual([]);
    clock.advance(1);
    expect(asked.latestSeqs).toHaveLength(1);
    expect([...(asked.latestSeqs[0] ?? [])].sort()).toEqual([...names].sort());
    await waitUntil(() => hub.active("room-7")?.deliveredSeq === 2, { what: "room-7 filled from the store" });
    expect(asked.range).toEqual(["room-7"]);

    // The next period: one read again, no room behind, nothing filled; never a read per room.
    await waitUntil(() => clock.timerCount > 0, { what: "the next period to be set" });
    clock.advance(CHECK_MS);
    await waitUntil(() => asked.latestSeqs.length === 2, { what: "the second period's read" });
    expect(asked.range).toEqual(["room-7"]);
    expect(asked.latestSeq).toBe(readsToActivate);
    for (const name of names) expect(hub.active(name)?.deliveredSeq).toBe(name === "room-7" ? 2 : 0);
    hub.shutdown("bye");
  });

  it("a failed read is logged and the check goes on at the next period", async () => {
    const { backend, asked, clock, hub } = await servingRooms(3);
    const latestSeqs = backend.messages.latestSeqs;
    backend.messages.latestSeqs = async () => {
      throw new Error("store away");
    };
    clock.advance(CHECK_MS);
    await waitUntil(() => clock.timerCount > 0, { what: "the next period to be set after the failure" });
    backend.messages.latestSeqs = latestSeqs;
    await commitElsewhere(backend, "room-1", "lost-1");
    clock.advance(CHECK_MS);
    await waitUntil(() => hub.active("room-1")?.deliveredSeq === 1, { what: "room-1 filled on the next period" });
    expect(asked.latestSeqs).toHaveLength(1);
    hub.shutdown("bye");
  });

  it("stops at shutdown", async () => {
    const { asked, clock, hub } = await servingRooms(2);
    hub.shutdown("bye");
    clock.advance(CHECK_MS * 3);
    expect(asked.latestSeqs).toEqual([]);
  });
});
