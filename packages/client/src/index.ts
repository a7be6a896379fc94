/**
 * The framework-free Chatroom client. Everything here runs in a browser or in Node (a bot, the
 * bench, e2e helpers): pass a socket factory, timers and storage. The browser's own environment
 * is in `@chatroom/client/browser`.
 */
export { ChatClient, type InviteOptions } from "./chat-client";
export { mentionsUser, notificationDue, type RoomNews } from "./notifications/room-news";
export { type ChatClientOptions, CLIENT_DEFAULTS, type ClientTunables, type PageVisibility } from "./options";
export {
  answerToError,
  isUnsent,
  newClientMsgId,
  Outbox,
  type OutboxChange,
  type OutboxEntry,
  type OutboxKind,
  type OutboxState,
  type OutboxStatus,
} from "./outbox/outbox";
export type { ModerateRequest } from "./outbox/outbox-entry";
export { type PendingChange, pendingOverlay, withPending } from "./outbox/pending-overlay";
export { CredentialStore } from "./persistence/credentials";
export { coveredTail } from "./persistence/room-persistence";
export { ClientStorage, type KeyValueStore, memoryStore, type RoomList, type RoomSnapshot, type TabIdentity } from "./persistence/storage";
export { RequestError } from "./requests/pending-requests";
export { applyModeration, INITIAL_ACCESS, isStaff, outranks, type RoomAccess, RoomAccessState, roleOf } from "./room/access";
export type { ChatAlert, NameAdjusted, RoomRemoval } from "./room/alerts";
export {
  capabilitiesFromFragment,
  type FragmentCapabilities,
  fragmentWithoutCapabilities,
  inviteLinkPath,
  ownerLinkPath,
} from "./room/capability-links";
export { applyReaction, applyRoomEvent, isNewerChat, revOf } from "./room/chat-reducer";
export type { IncomingFrame } from "./room/frame-router";
export type { HistoryEdge } from "./room/history-sync";
export type { MessageFocus } from "./room/history-window";
export { type EventEntry, type LogEvent, type LogItem, MessageLog } from "./room/message-log";
export type { RoomFrame, RoomLink } from "./room/room-link";
export { RoomSession } from "./room/room-session";
export { SeqCoverage, type SeqRange } from "./room/seq-coverage";
export type { StaffView } from "./room/staff-desk";
export { RoomSet } from "./rooms/room-set";
export type { SearchOwner, SearchView } from "./search/search-owner";
export type { ChatSnapshot, RoomSummary } from "./snapshot";
export { type Backoff, type BackoffOptions, exponentialBackoff } from "./transport/backoff";
export {
  Connection,
  type ConnectionOptions,
  type ConnectionTimers,
  OFFLINE_CODE,
  PONG_TIMEOUT_CODE,
  type SocketFactory,
  type SocketLike,
  type Wakeups,
} from "./transport/connection";
export {
  ABUSE_BACKOFF_FLOOR_MS,
  type ClosedReason,
  type ConnectionState,
  INITIAL_STATE,
  transition,
} from "./transport/connection-machine";
