import { type ChatFrame, type ModerationEvent, ROOM_PATTERN } from "@chatroom/protocol";
import type { OutboxEntry } from "../outbox/outbox";
import type { SeqRange } from "../room/seq-coverage";

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
  /** Chats as they stood. */
  messages: ChatFrame[];
  /** The seq ranges the saved chats reflect (see seq-coverage.ts). */
  coverage: SeqRange[];
  outbox: OutboxEntry[];
  clearedThroughSeq: number;
  /** The moderation events among the saved chats, shown as lines (absent in what older versions saved). */
  moderation?: ModerationEvent[];
  /** The read marker as this tab last knew it (the server's `ready` and `joined` can only move it forward). */
  readSeq: number;
}

/** The tab's rooms: rejoined after a reload, each from its own saved resume point. */
export interface RoomList {
  rooms: string[];
  /** Rooms the user left whose `leave` the server has not answered yet (they may still deliver their outbox first). */
  leaving: string[];
}

const TAB_KEY = "chatroom:tab";
const LAST_NAME_KEY = "chatroom:last-name";
const ROOMS_KEY = "chatroom:rooms";
const roomKey = (room: string) => `chatroom:room:${room}`;

/**
 * What survives a reload. `tab` holds this tab's identity: its session, its rooms, their logs and
 * outboxes (the page passes a store already scoped to the tab's identity slot); `browser` holds
 * the last name used, to prefill the next tab's dialog.
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
    const stored = readJson<Partial<RoomSnapshot> & LegacyRoomSnapshot>(this.tab, roomKey(room));
    const messages = Array.isArray(stored?.messages) ? stored.messages.filter(isStoredChat) : [];
    const moderation = Array.isArray(stored?.moderation) ? stored.moderation.filter(isStoredModeration) : [];
    return {
      messages,
      coverage: Array.isArray(stored?.coverage) ? stored.coverage.filter(isRange) : legacyCoverage(messages, stored?.silentSeqs),
      outbox: Array.isArray(stored?.outbox) ? stored.outbox : [],
      clearedThroughSeq: isSeq(stored?.clearedThroughSeq) ? stored.clearedThroughSeq : 0,
      readSeq: isSeq(stored?.readSeq) ? stored.readSeq : 0,
      ...(moderation.length > 0 ? { moderation } : {}),
    };
  }

  saveRoom(room: string, snapshot: RoomSnapshot): void {
    writeJson(this.tab, roomKey(room), snapshot);
  }

  /** The user left the room: nothing of it is kept. */
  removeRoom(room: string): void {
    safely(() => this.tab.removeItem(roomKey(room)));
  }

  loadRoomList(): RoomList {
    const stored = readJson<Partial<RoomList>>(this.tab, ROOMS_KEY);
    // Storage is outside our control: a name the server would refuse is skipped, not joined.
    const names = (value: unknown) =>
      Array.isArray(value) ? value.filter((room): room is string => typeof room === "string" && ROOM_PATTERN.test(room)) : [];
    return { rooms: names(stored?.rooms), leaving: names(stored?.leaving) };
  }

  saveRoomList(list: RoomList): void {
    writeJson(this.tab, ROOMS_KEY, list);
  }
}

/** What a room saved before coverage: its chats ran without a gap, held together by `silentSeqs`. */
interface LegacyRoomSnapshot {
  silentSeqs?: unknown;
}

/** Each saved chat and silent seq covers itself; a run of them is one range. */
function legacyCoverage(messages: readonly ChatFrame[], silentSeqs: unknown): SeqRange[] {
  const seqs = [...messages.map((message) => message.seq), ...(Array.isArray(silentSeqs) ? silentSeqs.filter(isSeq) : [])];
  seqs.sort((a, b) => a - b);
  const ranges: [number, number][] = [];
  for (const seq of seqs) {
    const last = ranges[ranges.length - 1];
    if (last && seq <= last[1] + 1) last[1] = Math.max(last[1], seq);
    else ranges.push([seq, seq]);
  }
  return ranges;
}

function isRange(value: unknown): value is SeqRange {
  return Array.isArray(value) && value.length === 2 && isSeq(value[0]) && isSeq(value[1]) && value[0] >= 1 && value[0] <= value[1];
}

/** Enough of a chat that the log can sort and show it; storage is outside our control. */
function isStoredChat(value: unknown): value is ChatFrame {
  if (typeof value !== "object" || value === null) return false;
  const chat = value as Partial<Record<keyof ChatFrame, unknown>>;
  return chat.type === "chat" && isSeq(chat.seq) && typeof chat.id === "string" && typeof chat.from === "object" && chat.from !== null;
}

/** Enough of a moderation event to place and word its line. */
function isStoredModeration(value: unknown): value is ModerationEvent {
  if (typeof value !== "object" || value === null) return false;
  const event = value as Partial<Record<keyof ModerationEvent, unknown>>;
  return (
    event.type === "moderation" && isSeq(event.seq) && typeof event.action === "string" && typeof event.by === "object" && event.by !== null
  );
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 0;
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
