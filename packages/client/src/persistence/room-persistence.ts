import type { ChatFrame } from "@chatroom/protocol";
import { fromStored, type OutboxEntry, type OutboxMessage } from "../outbox/outbox";
import type { ConnectionTimers } from "../transport/connection";
import type { ClientStorage } from "./storage";

/** What a room brings back after a reload. */
export interface RestoredRoom {
  /** The saved messages above the cleared point. */
  messages: ChatFrame[];
  clearedThroughSeq: number;
  outbox: OutboxMessage[];
}

/** What a room keeps across a reload: a contiguous tail of the log, the cleared point and the outbox. */
export interface RoomToSave {
  messages: readonly ChatFrame[];
  clearedThroughSeq: number;
  outbox: OutboxEntry[];
}

export function loadRoomState(storage: ClientStorage, room: string): RestoredRoom {
  const saved = storage.loadRoom(room);
  return {
    messages: saved.messages.filter((message) => message.seq > saved.clearedThroughSeq),
    clearedThroughSeq: saved.clearedThroughSeq,
    outbox: fromStored(saved.outbox),
  };
}

export function loadOutbox(storage: ClientStorage, room: string): OutboxMessage[] {
  return fromStored(storage.loadRoom(room).outbox);
}

/** Writes back only the outbox (the background flush's hand-off), leaving the saved log as it is. */
export function saveOutbox(storage: ClientStorage, room: string, outbox: OutboxEntry[]): void {
  storage.saveRoom(room, { ...storage.loadRoom(room), outbox });
}

/** The newest run of consecutive seqs, at most `max` long. */
export function contiguousTail(messages: readonly ChatFrame[], max: number): ChatFrame[] {
  let start = messages.length - 1;
  const floor = Math.max(0, messages.length - max);
  while (start > floor && (messages[start - 1] as ChatFrame).seq === (messages[start] as ChatFrame).seq - 1) start--;
  return messages.slice(Math.max(start, 0));
}

export interface RoomPersistenceOptions {
  storage: ClientStorage;
  room: string;
  timers: ConnectionTimers;
  /** How many of the newest messages are saved. */
  persistedMessages: number;
  debounceMs: number;
  /** Reads the room's state at the moment of saving. */
  read: () => RoomToSave;
}

/** Saves one room: soon after a change (debounced), or now (a send, a refusal, `pagehide`). */
export class RoomPersistence {
  private saveTimer: unknown = null;
  private disposed = false;

  constructor(private readonly options: RoomPersistenceOptions) {}

  /** Saves within the debounce window, unless a save is already due. */
  soon(): void {
    // A room left behind must not save again later: by then its outbox may belong to a background flush.
    if (this.disposed) return;
    if (this.saveTimer === null) this.saveTimer = this.options.timers.setTimeout(() => this.now(), this.options.debounceMs);
  }

  now(): void {
    const { storage, room, timers, persistedMessages } = this.options;
    timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const state = this.options.read();
    storage.saveRoom(room, {
      // Only a contiguous tail is worth keeping: the resume's `since` is its newest seq.
      messages: contiguousTail(state.messages, persistedMessages),
      outbox: state.outbox,
      clearedThroughSeq: state.clearedThroughSeq,
    });
  }

  /** Drops a save still due, after a final `now()`. */
  dispose(): void {
    this.disposed = true;
    this.options.timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }
}
