/**
 * The one table of error codes and close codes. Servers, clients, tests and docs read it;
 * nothing else spells these numbers or strings.
 *
 * The codes are a list of their own and their descriptions a table checked against it (every code
 * described, nothing else), so a client that only decodes frames (`z.enum` in server-frames.ts)
 * leaves the descriptions, which only the server sends, out of its bundle: the web page's first
 * script has a 150 KB budget (issue 12).
 */
export const ERROR_CODE_LIST = [
  "bad_frame",
  "too_long",
  "rate_limited",
  "name_taken",
  "bad_request",
  "unsupported_protocol",
  "not_joined",
  "too_many_rooms",
  "not_found",
  "forbidden",
  "gone",
  "muted",
  "banned",
  "slow_mode",
  "locked",
  "room_exists",
  "invite_invalid",
  "token_invalid",
  "token_expired",
  "name_refused",
  "bad_query",
  "server_error",
] as const;

export type ErrorCode = (typeof ERROR_CODE_LIST)[number];

/** What each code means: the server's default `message` in an `error` frame with that code. */
export const ERROR_CODES = {
  bad_frame: "The frame is not valid protocol 2 JSON.",
  too_long: "The message text is longer than the limit.",
  rate_limited: "Too many messages; wait retryAfterMs before sending again.",
  name_taken: "Another user in this room already has that name.",
  bad_request: "The request is invalid here: a first frame that is not hello, a second hello, or a join of a room already joined.",
  unsupported_protocol: "This server speaks protocol 2 only; the client must be updated (do not reconnect).",
  not_joined: "The frame names a room this connection has not joined.",
  too_many_rooms: "Joining would pass maxRooms (rooms per connection and memberships per user).",
  not_found: "The target is not a chat message of this room.",
  forbidden:
    "Not allowed: the message is someone else's, the edit window has passed, the message has 20 distinct emoji, the room is private and you are not a member, or your role does not rank above the user's.",
  gone: "The target message was deleted.",
  muted: "You are muted in this room; retryAfterMs says when a timed mute ends.",
  banned: "You are banned from this room.",
  slow_mode: "Slow mode is on: wait retryAfterMs before your next message.",
  locked: "The room is locked: only staff may write.",
  room_exists: "A room with that name exists already; join it instead.",
  invite_invalid: "The invite is unknown, expired, used up or revoked; ask for a new one.",
  token_invalid: "The token was refused (signature, issuer, audience, algorithm or lifetime); fetch a new one from the host app.",
  token_expired: "The token has expired; fetch a new one from the host app and send it in `auth` (or in `hello` when reconnecting).",
  name_refused: "The name mixes scripts in a way that can imitate another name; the message says which.",
  bad_query:
    "The search query cannot be run (empty, too long, too many words, a filter without a value or a bad day); the message says which.",
  server_error: "The server could not complete the request; retry later.",
} as const satisfies Record<ErrorCode, string>;

/** `new-token`: fetch a fresh token from the host app (the client's `getToken`), then resume with it. */
export type ReconnectPolicy = "none" | "resume" | "backoff" | "new-session" | "new-token";

export const CLOSE_CODES = {
  normal: { code: 1000, reason: "normal", reconnect: "none" },
  shuttingDown: { code: 1001, reason: "server shutting down", reconnect: "resume" },
  // 1002, 1007 and 1008 come from the WebSocket layer itself, for frames no client of ours sends.
  protocolError: { code: 1002, reason: "websocket protocol error", reconnect: "none" },
  binaryFrame: { code: 1003, reason: "binary frames are not accepted", reconnect: "none" },
  invalidUtf8: { code: 1007, reason: "text frame is not valid UTF-8", reconnect: "none" },
  policyViolation: { code: 1008, reason: "too many fragments or buffered chunks", reconnect: "none" },
  frameTooLarge: { code: 1009, reason: "frame too large", reconnect: "none" },
  internalError: { code: 1011, reason: "internal error", reconnect: "resume" },
  replaced: { code: 4001, reason: "replaced by a newer connection with the same session", reconnect: "new-session" },
  helloTimeout: { code: 4408, reason: "no hello in time", reconnect: "backoff" },
  tokenExpired: { code: 4401, reason: "token expired or refused", reconnect: "new-token" },
  tooSlow: { code: 4008, reason: "too slow", reconnect: "resume" },
  rateLimitAbuse: { code: 4029, reason: "rate limit abuse", reconnect: "backoff" },
  badRequest: { code: 4501, reason: "bad request", reconnect: "none" },
  unsupportedProtocol: { code: 4505, reason: "unsupported protocol", reconnect: "none" },
} as const satisfies Record<string, { code: number; reason: string; reconnect: ReconnectPolicy }>;

export type CloseName = keyof typeof CLOSE_CODES;

/**
 * Codes a WebSocket reports locally and no endpoint ever sends (RFC 6455 §7.4.1): the close frame
 * carried no status, or the connection ended without one. Kept out of CLOSE_CODES, so
 * `reconnectPolicyFor` treats them as a dropped connection.
 */
export const LOCAL_CLOSE_CODES = { noStatus: 1005, abnormal: 1006 } as const;

const closeByCode = new Map<number, (typeof CLOSE_CODES)[CloseName]>(Object.values(CLOSE_CODES).map((entry) => [entry.code, entry]));

/**
 * What a client should do after a close with this code. Codes not in the table (1005, 1006:
 * the connection dropped) are network failures, so the client resumes.
 */
export function reconnectPolicyFor(code: number): ReconnectPolicy {
  return closeByCode.get(code)?.reconnect ?? "resume";
}
