import { BackendClosedError } from "../backend-closed-error";
import { createMessageIds } from "../message-ids";
import type {
  AppendRequest,
  AppendResult,
  MessageStore,
  NewerPageResult,
  PageResult,
  RangeQuery,
  RangeResult,
  StoredEvent,
} from "../message-store";

/** The reference message store: every room's events in process memory, gone on restart. */
export class MemoryMessageStore implements MessageStore {
  /** `log[i].seq === i + 1`: each room's log is dense, so lookups by seq are index arithmetic. */
  private readonly rooms = new Map<string, StoredEvent[]>();
  /** Dedupe is per user across rooms: `(user id, clientMsgId)` identifies a send. */
  private readonly byClientMsgId = new Map<string, StoredEvent>();
  private readonly nextMessageId: () => string;
  private readonly now: () => number;

  private readonly isOpen: () => boolean;

  /** `isOpen` is the backend's: appends fail once the backend is closed, as every store's do. */
  constructor(options: { nodeId: string; now?: () => number; isOpen?: () => boolean }) {
    this.now = options.now ?? Date.now;
    this.nextMessageId = createMessageIds(options.nodeId);
    this.isOpen = options.isOpen ?? (() => true);
  }

  private log(room: string): StoredEvent[] {
    let log = this.rooms.get(room);
    if (!log) {
      log = [];
      this.rooms.set(room, log);
    }
    return log;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    if (!this.isOpen()) throw new BackendClosedError();
    const log = this.log(request.room);
    const dedupeKey = `${request.from.id}\u0000${request.clientMsgId}`;
    const original = this.byClientMsgId.get(dedupeKey);
    if (original) return { message: original, duplicate: true };
    const message: StoredEvent = {
      type: "chat",
      room: request.room,
      seq: log.length + 1,
      id: this.nextMessageId(),
      from: { id: request.from.id, name: request.from.name },
      text: request.text,
      ts: this.now(),
      clientMsgId: request.clientMsgId,
    };
    log.push(message);
    this.byClientMsgId.set(dedupeKey, message);
    return { message, duplicate: false };
  }

  async latestSeq(room: string): Promise<number> {
    return this.rooms.get(room)?.length ?? 0;
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const messages = this.rooms.get(room) ?? [];
    const upTo = Math.min(query.upTo, messages.length);
    const after = Math.max(0, query.after);
    if (after >= upTo) return { messages: [], complete: true };
    const start = Math.max(after, upTo - query.limit);
    return { messages: messages.slice(start, upTo), complete: start === after };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    const messages = this.rooms.get(room) ?? [];
    const end = Math.min(Math.max(0, before - 1), messages.length);
    const start = Math.max(0, end - limit);
    return { messages: messages.slice(start, end), hasOlder: start > 0 };
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const messages = this.rooms.get(room) ?? [];
    const end = Math.min(upTo, messages.length);
    const start = Math.max(0, after);
    if (start >= end) return { messages: [], hasNewer: false };
    const stop = Math.min(end, start + limit);
    return { messages: messages.slice(start, stop), hasNewer: stop < end };
  }
}
