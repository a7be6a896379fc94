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

/** A membership change of a whole cluster: a user joined or left its last node, or was renamed. */
export interface PresenceChange {
  joined: User[];
  left: User[];
  renamed: Array<{ user: User; previousName: string }>;
}

/** Events that cross nodes. Each carries the id of the node that published it. */
export type RoomEvent =
  | { kind: "chat"; origin: string; message: ChatFrame }
  | ({ kind: "presence"; origin: string } & PresenceChange)
  // Ephemeral: never stored, and lost if a node misses it (typing expires by itself anyway).
  | { kind: "typing"; origin: string; user: User; active: boolean };

/** A name a user may get, with its case-folded form (names are unique after folding). */
export interface NameCandidate {
  name: string;
  folded: string;
}

/**
 * Presence shared by every node: who is in a room anywhere, which names are taken, and per-node
 * liveness so a crashed node's members leave. Single-node backends have none; there the `Room`
 * alone is the truth. Changes are announced to other nodes as `presence` room events.
 */
export interface ClusterPresence {
  /**
   * Marks the user present on this node and, if the user is not present anywhere yet, claims the
   * first free candidate. Resolves with the user's name in the room, or undefined when every
   * candidate is taken. Idempotent per (node, user).
   */
  join(room: string, userId: string, candidates: NameCandidate[]): Promise<string | undefined>;
  /** The user left this node; resolves true when it is still present on another node. */
  leave(room: string, userId: string): Promise<boolean>;
  /** Claims `name` for the user; false when someone else in the room holds it. */
  rename(room: string, userId: string, name: NameCandidate): Promise<boolean>;
  /** Everyone present in the room, on any node. */
  members(room: string): Promise<User[]>;
  /** Rooms with anyone present on any node, busiest first. */
  rooms(limit: number): Promise<Array<{ name: string; memberCount: number }>>;
}

export type RoomEventListener = (event: RoomEvent) => void;

/**
 * Durable history, sessions and cross-node fan-out behind one seam. The in-memory backend is
 * the reference; SQLite is the single-node default; Redis serves several nodes. All of them
 * pass the same contract suite.
 */
export interface Backend {
  readonly kind: string;
  readonly nodeId: string;
  /** Present when several nodes share presence (Redis); absent on a single node. */
  readonly presence?: ClusterPresence;
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
