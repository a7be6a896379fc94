import type { ChatFrame, User } from "@chatroom/protocol";

/** What a sender asks the store to keep. The server fills in identity; the frame never does. */
export interface AppendRequest {
  room: string;
  from: User;
  text: string;
  clientMsgId: string;
}

export interface AppendResult {
  message: ChatFrame;
  /** True when `(from.id, clientMsgId)` was already stored: `message` is the original. */
  duplicate: boolean;
}

export interface RangeQuery {
  /** Only messages with `seq > after`. */
  after: number;
  /** Only messages with `seq <= upTo`, so a reader never sees past what has been fanned out. */
  upTo: number;
  /** The newest `limit` messages of the range are returned. */
  limit: number;
}

export interface RangeResult {
  messages: ChatFrame[];
  /** False when older messages of the range were left out by `limit`. */
  complete: boolean;
}

export interface PageResult {
  messages: ChatFrame[];
  hasOlder: boolean;
}

export interface SessionRecord {
  userId: string;
  name: string;
}

/** Events that cross nodes. Each carries the id of the node that published it. */
export type RoomEvent = { kind: "chat"; origin: string; message: ChatFrame };

export type RoomEventListener = (event: RoomEvent) => void;

/**
 * Durable history, sessions and cross-node fan-out behind one seam. The in-memory backend is
 * the reference; SQLite is the single-node default; Redis serves several nodes. All of them
 * pass the same contract suite.
 */
export interface Backend {
  readonly kind: string;
  readonly nodeId: string;
  /** Stores a message with the room's next `seq`, or returns the original on a duplicate. */
  append(request: AppendRequest): Promise<AppendResult>;
  latestSeq(room: string): Promise<number>;
  range(room: string, query: RangeQuery): Promise<RangeResult>;
  /** Messages with `seq < before`, the newest `limit` of them, oldest first. */
  before(room: string, before: number, limit: number): Promise<PageResult>;
  getSession(token: string): Promise<SessionRecord | undefined>;
  saveSession(token: string, record: SessionRecord): Promise<void>;
  /** Delivers events other nodes publish for `room`; a single node has nothing to deliver. */
  subscribe(room: string, listener: RoomEventListener): Promise<() => Promise<void>>;
  publish(room: string, event: RoomEvent): Promise<void>;
  /** Whether the store can serve requests right now, for `/readyz`. */
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}
