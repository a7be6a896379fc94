/**
 * Defaults for every number the contract calls configurable. The server may override them
 * and reports the effective values to clients in `ready.limits`.
 */
export const DEFAULT_LIMITS = {
  maxTextLength: 2000,
  maxFrameBytes: 16 * 1024,
  ratePerSecond: 5,
  burst: 20,
  maxNameLength: 32,
  maxJsonDepth: 8,
  welcomeLatest: 50,
  welcomeSinceMax: 500,
  welcomeMembersMax: 500,
  historyPageMax: 100,
  /** Rooms one connection may join, and memberships one user may hold. */
  maxRooms: 50,
  /** Distinct emoji one message may carry. */
  maxReactionEmoji: 20,
  /** User ids a message's `reactions[].users` lists per emoji; `count` is exact beyond it. */
  reactionUsersListed: 50,
  /** Code points of the target's text quoted in a reply. */
  replyQuoteLength: 100,
  /** Code points of a report's reason. */
  maxReportReasonLength: 500,
  /** Users one chat's `mentions` lists; more `@names` in a text are left as text. */
  mentionsMax: 50,
  /** Members above which only staff's `@room` mentions everyone (`ROOM_MENTION_MEMBERS_MAX`). */
  roomMentionMembersMax: 50,
  /** Code points of a search query. */
  searchQueryMaxLength: 500,
  /** Results one `search-results` page holds. */
  searchPageMax: 50,
} as const;

export type ProtocolLimits = {
  [K in keyof typeof DEFAULT_LIMITS]: number;
};

export const PROTOCOL_VERSION = 2;
