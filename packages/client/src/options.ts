import type { CredentialStore } from "./persistence/credentials";
import type { ClientStorage } from "./persistence/storage";
import type { Backoff } from "./transport/backoff";
import type { ConnectionTimers, SocketFactory, Wakeups } from "./transport/connection";

/**
 * Every default and tunable of the client, in one place. Tests and a bot override them through
 * `ChatClientOptions`; the parts read the resolved values and keep no constants of their own.
 */
export const CLIENT_DEFAULTS = {
  /** Unacked sends over an open socket turn failed (unanswered) after this long, and the link is probed. */
  ackTimeoutMs: 15_000,
  /** How long a liveness probe waits for any frame before the link counts as dead. */
  probeTimeoutMs: 3_000,
  pingIntervalMs: 25_000,
  pongTimeoutMs: 10_000,
  /** Reconnect backoff: exponential with "equal jitter", so a restarted server is not hit by every tab at once. */
  backoff: { baseMs: 500, maxMs: 10_000, jitter: 0.5 },
  /** A client closed for flooding waits at least this long, whatever its backoff says. */
  abuseBackoffFloorMs: 5_000,
  /** How many messages the tab keeps in memory. */
  maxMessages: 5_000,
  /**
   * A room's read marker goes out at most this often (the newest value wins). The server answers
   * `read` with nothing and spends a small budget on it (5 a second), so markers are coalesced here.
   */
  readMarkerEveryMs: 1_000,
  /** One page of older history. */
  historyPage: 50,
  /** The most a gap-filling request asks for at once. */
  gapPage: 100,
  /** How many of the newest (contiguous) messages a room saves for a reload. */
  persistedMessages: 200,
  /** Changes are saved at most this often; sends, refusals and `pagehide` save at once. */
  saveDebounceMs: 250,
  /**
   * After a reconnect, members who were listed before it and come back within this long get no
   * "joined" line: after a server restart everyone reconnects, and that is not news.
   */
  quietRejoinMs: 30_000,
  /** We send `typing: true` at most this often while the user keeps typing. */
  typingSendEveryMs: 2_000,
  /**
   * The server drops an `active: true` that comes less than 1 s after the one before, even a restart
   * after `active: false`. The slack covers the first frame reaching a busy server late.
   */
  serverTypingThrottleMs: 1_000 + 250,
  /** Both how long someone else's indicator lives without news and how long our own idles before we clear it. */
  typingExpiresMs: 5_000,
  /** When a `rate_limited` or `server_error` answer names no `retryAfterMs`. */
  retryAfterFallbackMs: 1_000,
  /** Search as you type: a query goes out after this long without a keystroke. */
  searchDebounceMs: 250,
  /** Results per search page. */
  searchPage: 20,
  /** A host app's token is refreshed this far through its life (from `iat` to `exp`). */
  tokenRefreshShare: 0.8,
  /** ...but never sooner than this from now, so a token near its end is not refreshed in a loop. */
  tokenRefreshMinDelayMs: 5_000,
} as const;

export interface ChatClientOptions {
  /** The websocket endpoint, e.g. ws://host/ws. Protocol 2 puts nothing in its URL: `hello` says who we are. */
  endpoint: string;
  /** The room the page opened on: it becomes the active room (and is joined if the tab does not hold it yet). */
  initialRoom?: string;
  /** The name a new participant asks for; a restored session keeps its own. */
  name?: string;
  storage: ClientStorage;
  createSocket: SocketFactory;
  timers: ConnectionTimers;
  wakeups?: Wakeups;
  /** Browser signals that the network is gone (`offline`). */
  linkLost?: Wakeups;
  backoff?: Backoff;
  /**
   * Unacked sends over an open socket turn failed after this long, and the link is probed: if no
   * pong comes within `probeTimeoutMs` the socket is dropped, and those sends turn pending again and
   * go out on the next welcome.
   */
  ackTimeoutMs?: number;
  probeTimeoutMs?: number;
  /** How many messages the tab keeps in memory. */
  maxMessages?: number;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** Whether the page is on screen: the active room's unread counts toward `totalUnread` only while it is not. */
  visibility?: PageVisibility;
  /**
   * The browser's capabilities (room passes, invites to redeem, the admin key), shared by all its
   * tabs: the page passes one over localStorage. Absent: kept in memory for this client's life.
   */
  credentials?: CredentialStore;
  /**
   * Sign-in from a host app (`AUTH=jwt`): returns a fresh JWT from the host's backend. It goes in
   * `hello`, is refreshed with `auth` before it expires, and is fetched anew after a 4401 close.
   */
  getToken?: () => Promise<string>;
}

/** The page's visibility, injected like the other browser signals (`document.visibilityState` in a page). */
export interface PageVisibility {
  isVisible(): boolean;
  subscribe(callback: () => void): () => void;
}

/** The tunables the room's parts read, with every default filled in. */
export interface ClientTunables {
  ackTimeoutMs: number;
  maxMessages: number;
  readMarkerEveryMs: number;
  historyPage: number;
  gapPage: number;
  persistedMessages: number;
  saveDebounceMs: number;
  quietRejoinMs: number;
  typingSendEveryMs: number;
  serverTypingThrottleMs: number;
  typingExpiresMs: number;
  retryAfterFallbackMs: number;
}

export function resolveTunables(options: ChatClientOptions): ClientTunables {
  const d = CLIENT_DEFAULTS;
  return {
    ackTimeoutMs: options.ackTimeoutMs ?? d.ackTimeoutMs,
    maxMessages: options.maxMessages ?? d.maxMessages,
    readMarkerEveryMs: d.readMarkerEveryMs,
    historyPage: d.historyPage,
    gapPage: d.gapPage,
    persistedMessages: d.persistedMessages,
    saveDebounceMs: d.saveDebounceMs,
    quietRejoinMs: d.quietRejoinMs,
    typingSendEveryMs: d.typingSendEveryMs,
    serverTypingThrottleMs: d.serverTypingThrottleMs,
    typingExpiresMs: d.typingExpiresMs,
    retryAfterFallbackMs: d.retryAfterFallbackMs,
  };
}
