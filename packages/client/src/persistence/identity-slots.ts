import type { KeyValueStore } from "./storage";

/**
 * Identity slots: who a tab is, kept in `localStorage` so it outlives the tab, yet never shared by
 * two open tabs. Each open tab holds the lock of one numbered slot for its whole life; the first
 * tab is slot 1, a second tab open at the same time is slot 2, and once the browser restarts the
 * first tab to open finds slot 1 free again, with its session, rooms and outboxes. A closed tab
 * (or a crashed one) lets its lock go by itself, so nothing has to clean up after it.
 *
 * This module knows nothing of the browser: it takes the lock manager (`navigator.locks` in a page,
 * a fake in the tests). The browser half is `browser-identity-slot.ts`.
 */

/** Every identity-slot default, in one place. */
export const IDENTITY_SLOT_DEFAULTS = {
  /** Slots tried before a tab gives up and keeps a per-tab identity: far more tabs than a person keeps open. */
  maxSlots: 32,
  /**
   * How long a reloaded tab waits for the slot it had. The page it replaces lets its lock go as it
   * unloads, which the browser may not have finished when the new page asks; without the wait a
   * reload could come back as another participant.
   */
  reclaimWaitMs: 2_000,
} as const;

const LOCK_PREFIX = "chatroom-identity-";

export function slotLockName(slot: number): string {
  return `${LOCK_PREFIX}${slot}`;
}

/**
 * The prefix of a slot's storage keys. Slot 1 uses the keys as they are, the ones the client used
 * before slots existed, so the data of the one tab people had stays theirs.
 */
export function slotKeyPrefix(slot: number): string {
  return slot === 1 ? "" : `slot-${slot}:`;
}

/** A view of `store` where every key gets `prefix`: one slot's keys, apart from every other slot's. */
export function prefixedStore(store: KeyValueStore, prefix: string): KeyValueStore {
  if (prefix === "") return store;
  return {
    getItem: (key) => store.getItem(prefix + key),
    setItem: (key, value) => store.setItem(prefix + key, value),
    removeItem: (key) => store.removeItem(prefix + key),
  };
}

/** The part of the Web Locks API (`navigator.locks`) a slot needs; a page's LockManager fits it. */
export interface SlotLocks {
  request(name: string, options: { ifAvailable?: boolean; signal?: AbortSignal }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

export interface IdentitySlot {
  /** 1 for the first open tab, 2 for a second one open at the same time, and so on. */
  number: number;
  /** What this slot's storage keys start with (see `slotKeyPrefix`). */
  keyPrefix: string;
  /** Lets the lock go. A page never calls it (closing the tab does it); tests do. */
  release(): void;
}

export interface ClaimSlotOptions {
  locks: SlotLocks;
  /** The slot this tab held before a reload (kept in sessionStorage): taken back first, waiting a little for it. */
  preferred?: number | undefined;
  maxSlots?: number;
  /**
   * The signal that ends the wait for `preferred`. Defaults to a timeout of `reclaimWaitMs`; tests
   * pass a controller's signal and abort it themselves.
   */
  reclaimDeadline?: () => AbortSignal;
}

/**
 * Claims this tab's slot: the one it held before a reload if it comes free in time, else the lowest
 * free one. Resolves with null when no slot can be had (every slot held, or locks refused): the
 * caller falls back to an identity of the tab's own.
 */
export async function claimIdentitySlot({
  locks,
  preferred,
  maxSlots = IDENTITY_SLOT_DEFAULTS.maxSlots,
  reclaimDeadline = () => AbortSignal.timeout(IDENTITY_SLOT_DEFAULTS.reclaimWaitMs),
}: ClaimSlotOptions): Promise<IdentitySlot | null> {
  try {
    if (preferred !== undefined && Number.isInteger(preferred) && preferred >= 1 && preferred <= maxSlots) {
      const reclaimed = await hold(locks, preferred, { signal: reclaimDeadline() });
      if (reclaimed) return reclaimed;
    }
    // One at a time, lowest first: the lock manager grants each name to one tab only, so two tabs
    // opening at the same moment still end up in different slots.
    for (let slot = 1; slot <= maxSlots; slot++) {
      const claimed = await hold(locks, slot, { ifAvailable: true });
      if (claimed) return claimed;
    }
    return null;
  } catch {
    // Locks refused outright (an opaque origin, a SecurityError): the tab keeps an identity of its own.
    return null;
  }
}

/**
 * Asks for one slot's lock and, once granted, keeps it until `release`: the lock callback's promise
 * is what holds it. Null when the slot is taken (`ifAvailable`) or the wait for it was aborted.
 */
function hold(locks: SlotLocks, slot: number, options: { ifAvailable?: boolean; signal?: AbortSignal }): Promise<IdentitySlot | null> {
  return new Promise((resolve, reject) => {
    let release = () => {};
    const held = new Promise<void>((done) => {
      release = done;
    });
    locks
      .request(slotLockName(slot), options, (lock) => {
        if (!lock) {
          resolve(null);
          return undefined;
        }
        resolve({ number: slot, keyPrefix: slotKeyPrefix(slot), release });
        return held;
      })
      .catch((error: unknown) => {
        if (isAbort(error)) resolve(null);
        else reject(error);
      });
  });
}

function isAbort(error: unknown): boolean {
  return typeof error === "object" && error !== null && "name" in error && (error.name === "AbortError" || error.name === "TimeoutError");
}
