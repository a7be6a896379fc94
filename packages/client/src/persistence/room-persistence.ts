import type { ChatFrame, ModerationEvent } from "@chatroom/protocol";
import { fromStored, type OutboxEntry, type OutboxMessage } from "../outbox/outbox";
import type { SeqRange } from "../room/seq-coverage";
import type { ConnectionTimers } from "../transport/connection";
import type { ClientStorage } from "./storage";

/** What a room brings back after a reload. */
export interface RestoredRoom {
  /** The saved chats above the cleared point, as they stood. */
  messages: ChatFrame[];
  /** The seq ranges those chats reflect. */
  coverage: SeqRange[];
  clearedThroughSeq: number;
  outbox: OutboxMessage[];
  readSeq: number;
  moderation: ModerationEvent[];
}

/** What a room keeps across a reload: a covered tail of the log, the cleared point, the outbox and the read marker. */
export interface RoomToSave {
  messages: readonly ChatFrame[];
  coverage: readonly SeqRange[];
  clearedThroughSeq: number;
  outbox: OutboxEntry[];
  readSeq: number;
  moderation?: readonly ModerationEvent[];
}

export function loadRoomState(storage: ClientStorage, room: string): RestoredRoom {
  const saved = storage.loadRoom(room);
  return {
    messages: saved.messages.filter((message) => message.seq > saved.clearedThroughSeq),
    coverage: saved.coverage,
    clearedThroughSeq: saved.clearedThroughSeq,
    outbox: fromStored(saved.outbox),
    readSeq: saved.readSeq,
    moderation: saved.moderation ?? [],
  };
}

/**
 * What is worth keeping of the log: the newest covered range, cut to its newest `max` chats. A
 * resume starts from the top of what was saved, so only one range without gaps is kept; when it
 * is cut, it starts at its oldest kept chat.
 */
export function coveredTail(
  messages: readonly ChatFrame[],
  coverage: readonly SeqRange[],
  max: number,
): { messages: ChatFrame[]; coverage: SeqRange[] } {
  const newest = coverage[coverage.length - 1];
  if (!newest || max <= 0) return { messages: [], coverage: [] };
  const [from, to] = newest;
  const inRange = messages.filter((message) => message.seq >= from && message.seq <= to);
  const kept = inRange.slice(Math.max(0, inRange.length - max));
  const start = kept.length < inRange.length ? (kept[0] as ChatFrame).seq : from;
  return { messages: kept, coverage: [[start, to]] };
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
    const tail = coveredTail(state.messages, state.coverage, persistedMessages);
    storage.saveRoom(room, {
      messages: tail.messages,
      coverage: tail.coverage,
      outbox: state.outbox,
      clearedThroughSeq: state.clearedThroughSeq,
      readSeq: state.readSeq,
      // The moderation lines within the saved range, so a reload shows the same log.
      moderation: (state.moderation ?? []).filter((event) => tail.coverage.some(([from, to]) => event.seq >= from && event.seq <= to)),
    });
  }

  /** Stops saving for good (the room was left, or the client is gone); a save still due is dropped. */
  dispose(): void {
    this.disposed = true;
    this.options.timers.clearTimeout(this.saveTimer);
    this.saveTimer = null;
  }
}
