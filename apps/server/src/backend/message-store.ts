import type { ChatFrame, User } from "@chatroom/protocol";

/**
 * A room's stored events, ordered by `seq`. So far every stored event is a chat message;
 * later kinds (edits, reactions) take the room's next `seq` the same way, so readers and the
 * room's ordered stream never depend on what kind an event is.
 */
export type StoredEvent = ChatFrame;

/** What a sender asks the store to keep. The server fills in identity; the frame never does. */
export interface AppendRequest {
  room: string;
  from: User;
  text: string;
  clientMsgId: string;
}

export interface AppendResult {
  message: StoredEvent;
  /** True when `(from.id, clientMsgId)` was already stored: `message` is the original. */
  duplicate: boolean;
}

export interface RangeQuery {
  /** Only events with `seq > after`. */
  after: number;
  /** Only events with `seq <= upTo`, so a reader never sees past what has been fanned out. */
  upTo: number;
  /** The newest `limit` events of the range are returned. */
  limit: number;
}

export interface RangeResult {
  messages: StoredEvent[];
  /** False when older events of the range were left out by `limit`. */
  complete: boolean;
}

export interface PageResult {
  messages: StoredEvent[];
  hasOlder: boolean;
}

export interface NewerPageResult {
  messages: StoredEvent[];
  /** True when events of the range were left out by `limit`. */
  hasNewer: boolean;
}

/** Durable room history. Every implementation passes the same contract suite. */
export interface MessageStore {
  /** Stores a message with the room's next `seq`, or returns the original on a duplicate. */
  append(request: AppendRequest): Promise<AppendResult>;
  latestSeq(room: string): Promise<number>;
  range(room: string, query: RangeQuery): Promise<RangeResult>;
  /** Events with `seq < before`, the newest `limit` of them, oldest first. */
  before(room: string, before: number, limit: number): Promise<PageResult>;
  /** Events with `after < seq <= upTo`, the oldest `limit` of them, oldest first: how a client fills a gap forward. */
  after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult>;
}
