import { claimIdentitySlot, prefixedStore, type SlotLocks } from "./identity-slots";
import { ClientStorage } from "./storage";

/** Where a tab remembers its slot across a reload (sessionStorage is the tab's own and survives one). */
const TAB_SLOT_KEY = "chatroom:identity-slot";

export interface TabIdentityStorage {
  /** The storage the client and the page read: scoped to this tab's slot. */
  storage: ClientStorage;
  /** The slot this tab holds, or null when it keeps a per-tab identity (no Web Locks, or none free). */
  slot: number | null;
}

/**
 * Claims this tab's identity slot (see identity-slots.ts) and builds the storage scoped to it: the
 * slot's session, rooms, logs and outboxes in `localStorage` under its prefix, and the last name
 * used browser-wide, to prefill the next tab's dialog. Without Web Locks (an old browser, a page
 * served over plain http from another host) the tab keeps its identity in sessionStorage, as it did
 * before slots: its own participant, forgotten when it closes.
 */
async function claimTabIdentity(): Promise<TabIdentityStorage> {
  const locks = (navigator as { locks?: SlotLocks }).locks;
  const slot = locks ? await claimIdentitySlot({ locks, preferred: rememberedSlot() }) : null;
  if (!slot) return { storage: new ClientStorage(window.sessionStorage, window.localStorage), slot: null };
  try {
    window.sessionStorage.setItem(TAB_SLOT_KEY, String(slot.number));
  } catch {
    // Storage disabled: a reload then takes the lowest free slot, which is still one of its own.
  }
  return { storage: new ClientStorage(prefixedStore(window.localStorage, slot.keyPrefix), window.localStorage), slot: slot.number };
}

function rememberedSlot(): number | undefined {
  try {
    const stored = Number(window.sessionStorage.getItem(TAB_SLOT_KEY));
    return Number.isInteger(stored) && stored >= 1 ? stored : undefined;
  } catch {
    return undefined;
  }
}

const GLOBAL_KEY = Symbol.for("chatroom.identity");
type IdentityHolder = { [GLOBAL_KEY]?: Promise<TabIdentityStorage> };

/**
 * The tab's one identity claim, kept on globalThis like the tab's client: Vite's HMR re-runs
 * modules, and a second claim would take a second slot.
 */
export function tabIdentity(): Promise<TabIdentityStorage> {
  const holder = globalThis as IdentityHolder;
  holder[GLOBAL_KEY] ??= claimTabIdentity();
  return holder[GLOBAL_KEY];
}
