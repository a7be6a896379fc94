import { describe, expect, it } from "vitest";
import { claimIdentitySlot, type IdentitySlot, prefixedStore, type SlotLocks, slotKeyPrefix } from "../src/persistence/identity-slots";
import { ClientStorage, memoryStore } from "../src/persistence/storage";

/**
 * The Web Locks API's exclusive mode, as much of it as slots use: a name is held by one holder at a
 * time, `ifAvailable` is answered with `null` when it is taken, and other requests queue until it
 * is released or their signal aborts them. `dropHolder` is a tab going away (its locks let go).
 */
class FakeLockManager implements SlotLocks {
  private readonly held = new Map<string, () => void>();
  private readonly queues = new Map<string, Array<() => void>>();

  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown> {
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    if (!this.held.has(name)) return this.grant(name, callback);
    if (options.ifAvailable) return Promise.resolve(callback(null));
    return new Promise((resolve, reject) => {
      const queue = this.queues.get(name) ?? [];
      const waiter = () => {
        options.signal?.removeEventListener("abort", onAbort);
        this.grant(name, callback).then(resolve, reject);
      };
      const onAbort = () => {
        queue.splice(queue.indexOf(waiter), 1);
        reject(options.signal?.reason);
      };
      options.signal?.addEventListener("abort", onAbort);
      queue.push(waiter);
      this.queues.set(name, queue);
    });
  }

  isHeld(name: string): boolean {
    return this.held.has(name);
  }

  private grant(name: string, callback: (lock: unknown) => unknown): Promise<unknown> {
    let released = () => {};
    const done = new Promise<void>((resolve) => {
      released = resolve;
    });
    this.held.set(name, released);
    const result = Promise.resolve(callback({ name, mode: "exclusive" }));
    // The lock lasts as long as the callback's promise, as in a browser.
    void Promise.race([result, done]).then(() => this.release(name));
    return result;
  }

  private release(name: string): void {
    this.held.delete(name);
    this.queues.get(name)?.shift()?.();
  }
}

/** Aborted by the test, not by a clock: the end of a reloaded tab's wait for its old slot. */
function manualDeadline() {
  const controller = new AbortController();
  return { deadline: () => controller.signal, abort: () => controller.abort(new DOMException("gave up waiting", "TimeoutError")) };
}

/** Lets the queued lock callbacks run (each grant is a promise reaction away). */
async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await Promise.resolve();
}

describe("identity slots", () => {
  it("gives the first tab slot 1 with today's keys and a second tab open at the same time slot 2", async () => {
    const locks = new FakeLockManager();
    const first = await claimIdentitySlot({ locks });
    const second = await claimIdentitySlot({ locks });
    expect(first).toMatchObject({ number: 1, keyPrefix: "" });
    expect(second).toMatchObject({ number: 2, keyPrefix: "slot-2:" });
    expect(locks.isHeld("chatroom-identity-1")).toBe(true);
    expect(locks.isHeld("chatroom-identity-2")).toBe(true);
  });

  it("holds the slot until it is released, and the next tab to open then gets it back (a browser restart)", async () => {
    const locks = new FakeLockManager();
    const first = (await claimIdentitySlot({ locks })) as IdentitySlot;
    const second = (await claimIdentitySlot({ locks })) as IdentitySlot;
    await settle();
    expect(locks.isHeld("chatroom-identity-1")).toBe(true);
    first.release();
    second.release();
    await settle();
    expect(await claimIdentitySlot({ locks })).toMatchObject({ number: 1 });
  });

  it("hands out distinct slots to tabs that open at the same moment", async () => {
    const locks = new FakeLockManager();
    const slots = await Promise.all(Array.from({ length: 5 }, () => claimIdentitySlot({ locks })));
    expect(slots.map((slot) => slot?.number).sort()).toEqual([1, 2, 3, 4, 5]);
  });

  it("gives a reloaded tab the slot it had, even when a lower one is free", async () => {
    const locks = new FakeLockManager();
    const first = (await claimIdentitySlot({ locks })) as IdentitySlot;
    const second = (await claimIdentitySlot({ locks })) as IdentitySlot;
    first.release();
    second.release();
    await settle();
    // Tab 1 has closed; tab 2 reloads and is still participant 2.
    expect(await claimIdentitySlot({ locks, preferred: 2 })).toMatchObject({ number: 2 });
  });

  it("waits for the slot a reloaded tab had while the page it replaces still holds it", async () => {
    const locks = new FakeLockManager();
    await claimIdentitySlot({ locks });
    const unloading = (await claimIdentitySlot({ locks })) as IdentitySlot;
    const { deadline } = manualDeadline();
    const reloaded = claimIdentitySlot({ locks, preferred: 2, reclaimDeadline: deadline });
    await settle();
    unloading.release();
    expect(await reloaded).toMatchObject({ number: 2 });
  });

  it("takes the lowest free slot when the one it had stays taken (a duplicated tab)", async () => {
    const locks = new FakeLockManager();
    await claimIdentitySlot({ locks });
    await claimIdentitySlot({ locks });
    const { deadline, abort } = manualDeadline();
    const duplicate = claimIdentitySlot({ locks, preferred: 2, reclaimDeadline: deadline });
    await settle();
    abort();
    expect(await duplicate).toMatchObject({ number: 3 });
  });

  it("ignores a remembered slot that is no slot, and falls back to none when every slot is held or locks are refused", async () => {
    const locks = new FakeLockManager();
    expect(await claimIdentitySlot({ locks, preferred: 0, maxSlots: 2 })).toMatchObject({ number: 1 });
    expect(await claimIdentitySlot({ locks, preferred: 9, maxSlots: 2 })).toMatchObject({ number: 2 });
    expect(await claimIdentitySlot({ locks, maxSlots: 2 })).toBeNull();
    const refusing: SlotLocks = { request: () => Promise.reject(new DOMException("opaque origin", "SecurityError")) };
    expect(await claimIdentitySlot({ locks: refusing })).toBeNull();
  });

  it("keeps each slot's storage apart while every slot shares the last name used", () => {
    const local = memoryStore();
    const slotStorage = (slot: number) => new ClientStorage(prefixedStore(local, slotKeyPrefix(slot)), local);
    slotStorage(1).saveIdentity({ session: "session-of-slot-1", name: "ann" });
    slotStorage(2).saveIdentity({ session: "session-of-slot-2", name: "bob" });
    expect(slotStorage(1).loadIdentity()).toEqual({ session: "session-of-slot-1", name: "ann" });
    expect(slotStorage(2).loadIdentity()).toEqual({ session: "session-of-slot-2", name: "bob" });
    expect(slotStorage(3).loadIdentity()).toEqual({});
    expect(slotStorage(3).lastName()).toBe("bob");
    // Slot 1 reads the keys as the client writes them without slots, so a first tab's data stays its own.
    expect(new ClientStorage(local, local).loadIdentity()).toEqual({ session: "session-of-slot-1", name: "ann" });
  });
});
