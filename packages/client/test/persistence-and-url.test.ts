import { describe, expect, it } from "vitest";
import { contiguousTail, RoomPersistence } from "../src/persistence/room-persistence";
import { ClientStorage, memoryStore } from "../src/persistence/storage";
import { connectUrl } from "../src/transport/connect-url";
import { chats, FakeClock } from "./support/fakes";

describe("room persistence", () => {
  it("keeps only the newest contiguous run of seqs, at most `max` long", () => {
    expect(contiguousTail([...chats(1, 3), ...chats(7, 10)], 200).map((message) => message.seq)).toEqual([7, 8, 9, 10]);
    expect(contiguousTail(chats(1, 10), 3).map((message) => message.seq)).toEqual([8, 9, 10]);
    expect(contiguousTail([], 3)).toEqual([]);
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
        return { messages: chats(1, counter.reads), outbox: [], clearedThroughSeq: 0 };
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
  });

  it("saves nothing more once disposed, so a room left behind cannot overwrite its flush's outbox", () => {
    const { clock, persistence, counter } = persisted();
    persistence.now();
    persistence.dispose();
    persistence.soon();
    clock.advance(1_000);
    expect(counter.reads).toBe(1);
  });
});

describe("connectUrl", () => {
  it("names the room, then name, session and since when known", () => {
    expect(connectUrl("ws://h/ws", { room: "lobby" })).toBe("ws://h/ws?room=lobby");
    expect(connectUrl("ws://h/ws", { room: "dev ops", name: "a b", session: "s1", since: 0 })).toBe(
      "ws://h/ws?room=dev+ops&name=a+b&session=s1&since=0",
    );
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
