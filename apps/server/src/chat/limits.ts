import type { ProtocolLimits } from "@chatroom/protocol";

/**
 * Every tunable of the chat logic, in one record. The configurable ones default in the config
 * schema (config.ts); the rest default here.
 */
export interface ChatLimits extends ProtocolLimits {
  /** How long after sending its author may edit a chat; absent, any time. Deleting has no window. */
  editWindowMs?: number;
  /** How long a member who dropped stays (and keeps its name) before the room says it left. */
  presenceGraceMs: number;
  /** Membership changes go out at most once per window, so N joins cost O(N) frames. */
  systemFlushMs: number;
  /** At most one `typing: true` per member per window reaches the room. */
  typingThrottleMs: number;
  /** A typist that says nothing more is announced as stopped after this long. */
  typingTimeoutMs: number;
  /** Bad frames within `badFrameWindowMs` after which the sender is closed (bad request). */
  badFrameLimit: number;
  badFrameWindowMs: number;
  /** Rate-limited frames within `badFrameWindowMs` after which the sender is closed (rate limit abuse). */
  floodCloseAfter: number;
  /** A connection whose send buffer passes this is closed as too slow. */
  slowConsumerBytes: number;
  /** History pages are cheap to ask for and costly to answer, so they have a budget of their own. */
  historyBurst: number;
  historyPerSecond: number;
  /** Read markers are store writes: they have a budget of their own (clients coalesce them, so a real one never hits it). */
  readBurst: number;
  readPerSecond: number;
  /** Searches run on the store with no index for some queries: 10 at once, then 2 per second per connection. */
  searchBurst: number;
  searchPerSecond: number;
  /** Results in a `search-results` page when the `search` frame asks for no `limit`. */
  searchPageDefault: number;
  /** Frames a client may send before its `ready`, or for a room before its `joined`; more than that is a flood. */
  maxEarlyFrames: number;
  /** A connection that has not said `hello` by then is closed (4408). */
  helloTimeoutMs: number;
  /** How many users a system frame names per change kind once a room outgrows the member list of `joined`. */
  largeRoomSystemEntries: number;
  /** Names tried per cluster claim (`name`, `name (2)`, ...) and the highest suffix ever tried. */
  nameClaimBatch: number;
  maxNameSuffix: number;
}

/** The chat tunables no environment variable sets. */
export const CHAT_TUNING_DEFAULTS = {
  systemFlushMs: 200,
  typingThrottleMs: 1_000,
  typingTimeoutMs: 5_000,
  badFrameLimit: 10,
  badFrameWindowMs: 10_000,
  floodCloseAfter: 50,
  historyBurst: 20,
  historyPerSecond: 10,
  readBurst: 20,
  readPerSecond: 5,
  searchBurst: 10,
  searchPerSecond: 2,
  searchPageDefault: 20,
  maxEarlyFrames: 100,
  helloTimeoutMs: 10_000,
  largeRoomSystemEntries: 10,
  nameClaimBatch: 50,
  maxNameSuffix: 10_000,
} as const satisfies Partial<ChatLimits>;
