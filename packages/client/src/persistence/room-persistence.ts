import type { ChatFrame } from "@chatroom/protocol";
import { fromStored, type OutboxEntry, type OutboxMessage } from "../outbox/outbox";
import type { ConnectionTimers } from "../transport/connection";
import type { ClientStorage } from "./storage";

/** What a room brings back after a reload. */
export interface RestoredRoom {
  /** The saved messages above the cleared point. */
  messages: ChatFrame[];
  silentSeqs: number[];
  clearedThroughSeq: number;
  outbox: OutboxMessage[];
  readSeq: number;
}

/** What a room keeps across a reload: a contiguous tail of the log, the cleared point, the outbox and the read marker. */
export interface RoomToSave {
  messages: readonly ChatFrame[];
  silentSeqs: readonly number[];
  clearedThroughSeq: number;
  outbox: OutboxEntry[];
  readSeq: number;
}

export function loadRoomState(storage: ClientStorage, room: string): RestoredRoom {
  const saved = storage.loadRoom(room);
  return {
    messages: saved.messages.filter((message) => message.seq > saved.clearedThroughSeq),
    silentSeqs: saved.silentSeqs.filter((seq) => seq > saved.clearedThroughSeq),
    clearedThroughSeq: saved.clearedThroughSeq,
    outbox: fromStored(saved.outbox),
    readSeq: saved.readSeq,
  };
}

/**
 * The newest run of consecutive seqs, at most `max` messages long. Silent seqs (events this
 * client cannot show) hold the run together without counting as messages.
 */
export function contiguousTail(messages: readonly ChatFrame[], max: number, silentSeqs: readonly number[] = []): ChatFrame[] {
  const silent = new Set(silentSeqs);
  let start = messages.length - 1;
  const floor = Math.max(0, messages.length - max);
  const joins = (below: number, above: number) => {
    if (above - below - 1 > silent.size) return false;
    for (let seq = below + 1; seq < above; seq++) if (!silent.has(seq)) return false;
    return true;
  };
  while (start > floor && joins((messages[start - 1] as ChatFrame).seq, (messages[start] as ChatFrame).seq)) start--;
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
    // A room the user left must not save again later: its storage was removed with it.
    if (this.disposed) return;
    if (this.saveTimer === null) this.saveTimer = this.options.timers.setTimeout(() => this.now(), this.options.debounceMs);
  }

  now(): void {
    if (this.disposed) return;
    const { storage, room, timers, persistedMessages } = this.options;
    timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    const state = this.options.read();
    // Only a contiguous tail is worth keeping: the resume's `since` is its newest seq.
    const messages = contiguousTail(state.messages, persistedMessages, state.silentSeqs);
    const from = messages[0]?.seq ?? Number.POSITIVE_INFINITY;
    storage.saveRoom(room, {
      messages,
      silentSeqs: state.silentSeqs.filter((seq) => seq > from),
      outbox: state.outbox,
      clearedThroughSeq: state.clearedThroughSeq,
      readSeq: state.readSeq,
    });
  }

  /** Stops saving for good (the room was left, or the client is gone); a save still due is dropped. */
  dispose(): void {
    this.disposed = true;
    this.options.timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }
}
