import { describe, expect, it } from "vitest";
import { contiguousTail, RoomPersistence } from "../src/persistence/room-persistence";
import { ClientStorage, memoryStore } from "../src/persistence/storage";
import { chats, FakeClock } from "./support/fakes";

describe("room persistence", () => {
  it("keeps only the newest contiguous run of seqs, at most `max` long", () => {
    expect(contiguousTail([...chats(1, 3), ...chats(7, 10)], 200).map((message) => message.seq)).toEqual([7, 8, 9, 10]);
    expect(contiguousTail(chats(1, 10), 3).map((message) => message.seq)).toEqual([8, 9, 10]);
    expect(contiguousTail([], 3)).toEqual([]);
  });

  it("counts the seqs of events it cannot show as part of the run, without counting them as messages", () => {
    const messages = [...chats(1, 3), ...chats(5, 6), ...chats(9, 10)];
    expect(contiguousTail(messages, 200, [4, 7, 8]).map((message) => message.seq)).toEqual([1, 2, 3, 5, 6, 9, 10]);
    expect(contiguousTail(messages, 200, [7, 8]).map((message) => message.seq)).toEqual([5, 6, 9, 10]);
    expect(contiguousTail(messages, 3, [4, 7, 8]).map((message) => message.seq)).toEqual([6, 9, 10]);
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
        return { messages: chats(1, counter.reads), silentSeqs: [], outbox: [], clearedThroughSeq: 0, readSeq: counter.reads };
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
    storage.saveRoom("dev", { messages: chats(1, 2), silentSeqs: [], outbox: [], clearedThroughSeq: 0, readSeq: 2 });
    storage.removeRoom("dev");
    expect(storage.loadRoom("dev")).toEqual({ messages: [], silentSeqs: [], outbox: [], clearedThroughSeq: 0, readSeq: 0 });
    // A hand edit or another version: names the server would refuse, and values of the wrong type, are skipped.
    tab.setItem("chatroom:rooms", JSON.stringify({ rooms: ["ok", "Not A Room", 7], leaving: "x" }));
    expect(storage.loadRoomList()).toEqual({ rooms: ["ok"], leaving: [] });
    tab.setItem("chatroom:room:ok", JSON.stringify({ readSeq: -1, silentSeqs: [3, "x"] }));
    expect(storage.loadRoom("ok")).toMatchObject({ readSeq: 0, silentSeqs: [3] });
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
