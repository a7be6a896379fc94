import { describe, expect, it } from "vitest";
import { coveredTail, RoomPersistence } from "../src/persistence/room-persistence";
import { ClientStorage, memoryStore } from "../src/persistence/storage";
import { chat, chats, FakeClock } from "./support/fakes";

describe("room persistence", () => {
  it("keeps the newest covered range, cut to its newest `max` chats", () => {
    const seqs = (tail: { messages: { seq: number }[] }) => tail.messages.map((message) => message.seq);
    const gappy = coveredTail(
      [...chats(1, 3), ...chats(7, 10)],
      [
        [1, 3],
        [7, 12],
      ],
      200,
    );
    expect(seqs(gappy)).toEqual([7, 8, 9, 10]);
    // Seqs 11 and 12 were edits or reactions: the range still ends there.
    expect(gappy.coverage).toEqual([[7, 12]]);
    const cut = coveredTail(chats(1, 10), [[1, 14]], 3);
    expect(seqs(cut)).toEqual([8, 9, 10]);
    expect(cut.coverage).toEqual([[8, 14]]);
    expect(coveredTail([], [], 3)).toEqual({ messages: [], coverage: [] });
    // A range of changes with no chat of its own (e.g. after Clear) is kept as it is.
    expect(coveredTail([], [[1, 9]], 3)).toEqual({ messages: [], coverage: [[1, 9]] });
  });

  /** A room's persistence over memory storage; `counter.reads` counts the saves (each reads the room once). */
  function persisted() {
    const clock = new FakeClock();
    const storage = new ClientStorage(memoryStore(), memoryStore());
    const counter = { reads: 0 };
    const persistence = new RoomPersistence({
      storage,
      room: "lobby",
      timers: clock,
      persistedMessages: 200,
      debounceMs: 250,
      read: () => {
        counter.reads++;
        return {
          messages: chats(1, counter.reads),
          coverage: [[1, counter.reads]],
          outbox: [],
          clearedThroughSeq: 0,
          readSeq: counter.reads,
        };
      },
    });
    return { clock, storage, persistence, counter };
  }

  it("saves once per debounce window, and at once when asked", () => {
    const { clock, storage, persistence, counter } = persisted();
    persistence.soon();
    persistence.soon();
    clock.advance(249);
    expect(counter.reads).toBe(0);
    clock.advance(1);
    expect(counter.reads).toBe(1);
    persistence.soon();
    persistence.now();
    clock.advance(1_000);
    expect(counter.reads).toBe(2);
    expect(storage.loadRoom("lobby").messages.map((message) => message.seq)).toEqual([1, 2]);
    expect(storage.loadRoom("lobby").readSeq).toBe(2);
  });

  it("saves nothing more once disposed, so a room the user left cannot come back into storage", () => {
    const { clock, persistence, counter } = persisted();
    persistence.now();
    persistence.dispose();
    persistence.soon();
    persistence.now();
    clock.advance(1_000);
    expect(counter.reads).toBe(1);
  });
});

describe("ClientStorage: the tab's rooms", () => {
  it("keeps the room list and forgets a room's state when asked; skips what it never wrote", () => {
    const tab = memoryStore();
    const storage = new ClientStorage(tab, memoryStore());
    expect(storage.loadRoomList()).toEqual({ rooms: [], leaving: [] });
    storage.saveRoomList({ rooms: ["dev", "lobby"], leaving: ["old"] });
    expect(new ClientStorage(tab, memoryStore()).loadRoomList()).toEqual({ rooms: ["dev", "lobby"], leaving: ["old"] });
    storage.saveRoom("dev", { messages: chats(1, 2), coverage: [[1, 2]], outbox: [], clearedThroughSeq: 0, readSeq: 2 });
    expect(storage.loadRoom("dev")).toEqual({ messages: chats(1, 2), coverage: [[1, 2]], outbox: [], clearedThroughSeq: 0, readSeq: 2 });
    storage.removeRoom("dev");
    expect(storage.loadRoom("dev")).toEqual({ messages: [], coverage: [], outbox: [], clearedThroughSeq: 0, readSeq: 0 });
    // A hand edit or another version: names the server would refuse, and values of the wrong type, are skipped.
    tab.setItem("chatroom:rooms", JSON.stringify({ rooms: ["ok", "Not A Room", 7], leaving: "x" }));
    expect(storage.loadRoomList()).toEqual({ rooms: ["ok"], leaving: [] });
    tab.setItem(
      "chatroom:room:ok",
      JSON.stringify({ readSeq: -1, coverage: [[1, 4], [7, 5], "x", [0, 2]], messages: [chat(3), { seq: "x" }] }),
    );
    expect(storage.loadRoom("ok")).toMatchObject({ readSeq: 0, coverage: [[1, 4]], messages: [chat(3)] });
  });

  it("reads a room saved before coverage: its chats and silent seqs, one run, cover themselves", () => {
    const tab = memoryStore();
    const storage = new ClientStorage(tab, memoryStore());
    tab.setItem(
      "chatroom:room:old",
      JSON.stringify({ messages: [...chats(5, 6), ...chats(8, 9)], silentSeqs: [7, 10], outbox: [], readSeq: 3 }),
    );
    expect(storage.loadRoom("old")).toMatchObject({ coverage: [[5, 10]], readSeq: 3 });
  });
});

describe("the package in Node", () => {
  it("imports without a browser: nothing at import time touches window or document", async () => {
    expect(typeof (globalThis as { window?: unknown }).window).toBe("undefined");
    const client = await import("../src/index");
    expect(typeof client.ChatClient).toBe("function");
    const browser = await import("../src/transport/browser-env");
    expect(typeof browser.createBrowserClient).toBe("function");
  });
});
