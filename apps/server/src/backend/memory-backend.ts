import type { ChatFrame } from "@chatroom/protocol";
import type {
  AppendRequest,
  AppendResult,
  Backend,
  PageResult,
  RangeQuery,
  RangeResult,
  RoomEventListener,
  SessionRecord,
} from "./backend";
import { createMessageIds } from "./message-ids";

interface RoomLog {
  /** `messages[i].seq === i + 1`: the log is dense, so lookups by seq are index arithmetic. */
  messages: ChatFrame[];
}

/** The reference backend: everything in process memory, gone on restart. */
export class MemoryBackend implements Backend {
  readonly kind = "memory";
  readonly nodeId: string;
  private readonly rooms = new Map<string, RoomLog>();
  private readonly sessions = new Map<string, SessionRecord>();
  /** Dedupe is per user across rooms: `(user id, clientMsgId)` identifies a send. */
  private readonly byClientMsgId = new Map<string, ChatFrame>();
  private readonly nextMessageId: () => string;
  private closed = false;

  constructor(options: { nodeId: string; now?: () => number }) {
    this.nodeId = options.nodeId;
    this.now = options.now ?? Date.now;
    this.nextMessageId = createMessageIds(options.nodeId);
  }

  private readonly now: () => number;

  private log(room: string): RoomLog {
    let log = this.rooms.get(room);
    if (!log) {
      log = { messages: [] };
      this.rooms.set(room, log);
    }
    return log;
  }

  async append(request: AppendRequest): Promise<AppendResult> {
    this.assertOpen();
    const log = this.log(request.room);
    const dedupeKey = `${request.from.id}\u0000${request.clientMsgId}`;
    const original = this.byClientMsgId.get(dedupeKey);
    if (original) return { message: original, duplicate: true };
    const message: ChatFrame = {
      type: "chat",
      room: request.room,
      seq: log.messages.length + 1,
      id: this.nextMessageId(),
      from: { id: request.from.id, name: request.from.name },
      text: request.text,
      ts: this.now(),
      clientMsgId: request.clientMsgId,
    };
    log.messages.push(message);
    this.byClientMsgId.set(dedupeKey, message);
    return { message, duplicate: false };
  }

  async latestSeq(room: string): Promise<number> {
    return this.rooms.get(room)?.messages.length ?? 0;
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const messages = this.rooms.get(room)?.messages ?? [];
    const upTo = Math.min(query.upTo, messages.length);
    const after = Math.max(0, query.after);
    if (after >= upTo) return { messages: [], complete: true };
    const start = Math.max(after, upTo - query.limit);
    return { messages: messages.slice(start, upTo), complete: start === after };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    const messages = this.rooms.get(room)?.messages ?? [];
    const end = Math.min(Math.max(0, before - 1), messages.length);
    const start = Math.max(0, end - limit);
    return { messages: messages.slice(start, end), hasOlder: start > 0 };
  }

  async getSession(token: string): Promise<SessionRecord | undefined> {
    return this.sessions.get(token);
  }

  async saveSession(token: string, record: SessionRecord): Promise<void> {
    this.sessions.set(token, { ...record });
  }

  async subscribe(_room: string, _listener: RoomEventListener): Promise<() => Promise<void>> {
    return async () => {};
  }

  async publish(): Promise<void> {}

  async isReady(): Promise<boolean> {
    return !this.closed;
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private assertOpen(): void {
    if (this.closed) throw new Error("backend is closed");
  }
}
