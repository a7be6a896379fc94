import type { ChatFrame } from "@chatroom/protocol";
import type { OutboxEntry } from "../outbox/outbox";

/** The parts of the Web Storage API the client uses; tests pass a Map-backed one. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function memoryStore(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
    removeItem: (key) => void map.delete(key),
  };
}

export interface TabIdentity {
  session?: string;
  name?: string;
}

export interface RoomSnapshot {
  messages: ChatFrame[];
  outbox: OutboxEntry[];
  clearedThroughSeq: number;
}

const TAB_KEY = "chatroom:tab";
const LAST_NAME_KEY = "chatroom:last-name";
const roomKey = (room: string) => `chatroom:room:${room}`;

/**
 * What survives a reload. The session and log live in sessionStorage, so every tab is its own
 * participant; the last name used lives in localStorage, to prefill the next tab's dialog.
 */
export class ClientStorage {
  constructor(
    private readonly tab: KeyValueStore,
    private readonly browser: KeyValueStore,
  ) {}

  loadIdentity(): TabIdentity {
    return readJson<TabIdentity>(this.tab, TAB_KEY) ?? {};
  }

  saveIdentity(identity: TabIdentity): void {
    writeJson(this.tab, TAB_KEY, identity);
    if (identity.name) safely(() => this.browser.setItem(LAST_NAME_KEY, identity.name as string));
  }

  lastName(): string | null {
    return safely(() => this.browser.getItem(LAST_NAME_KEY)) ?? null;
  }

  loadRoom(room: string): RoomSnapshot {
    const stored = readJson<Partial<RoomSnapshot>>(this.tab, roomKey(room));
    return {
      messages: Array.isArray(stored?.messages) ? stored.messages : [],
      outbox: Array.isArray(stored?.outbox) ? stored.outbox : [],
      clearedThroughSeq: typeof stored?.clearedThroughSeq === "number" ? stored.clearedThroughSeq : 0,
    };
  }

  saveRoom(room: string, snapshot: RoomSnapshot): void {
    writeJson(this.tab, roomKey(room), snapshot);
  }
}

function readJson<T>(store: KeyValueStore, key: string): T | undefined {
  const raw = safely(() => store.getItem(key));
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return undefined;
  }
}

function writeJson(store: KeyValueStore, key: string, value: unknown): void {
  // Storage can be full or disabled (private mode); the chat keeps working without it.
  safely(() => store.setItem(key, JSON.stringify(value)));
}

function safely<T>(action: () => T): T | undefined {
  try {
    return action();
  } catch {
    return undefined;
  }
}
