import { CLOSE_CODES, type ClientFrame, decodeServerFrameTolerant, encode, LOCAL_CLOSE_CODES } from "@chatroom/protocol";
import { CLIENT_DEFAULTS } from "../options";
import type { IncomingFrame } from "../room/frame-router";
import { type Backoff, exponentialBackoff } from "./backoff";
import { attemptAfterDrop, type ConnectionEvent, type ConnectionState, INITIAL_STATE, transition } from "./connection-machine";

/** The subset of the browser WebSocket the connection uses, so tests can pass their own. */
export interface SocketLike {
  readonly readyState: number;
  onopen: ((event: unknown) => void) | null;
  onmessage: ((event: { data: unknown }) => void) | null;
  onclose: ((event: { code: number; reason: string }) => void) | null;
  onerror: ((event: unknown) => void) | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export type SocketFactory = (url: string) => SocketLike;

export interface ConnectionTimers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

/** Browser signals that say "try again now": back online, or a hidden tab shown again. */
export interface Wakeups {
  subscribe(callback: () => void): () => void;
}

export interface ConnectionOptions {
  /**
   * The bare endpoint. Protocol 2 puts nothing in the URL (a token there ends up in request logs):
   * who we are and where each room resumes go in `hello` and `join` once the socket is open.
   */
  url: string;
  createSocket: SocketFactory;
  timers: ConnectionTimers;
  wakeups?: Wakeups;
  /** Browser signals that say the network is gone (`offline`): the socket is treated as dead at once. */
  linkLost?: Wakeups;
  backoff?: Backoff;
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** How long a liveness probe (`probe()`) waits for its pong before the link counts as dead. */
  probeTimeoutMs?: number;
  /** Every decoded frame; a stored room event of an unknown kind comes as `unknown-event`, so its seq is not lost. */
  onFrame: (frame: IncomingFrame) => void;
  /** A 4401 close can be answered with a fresh token (the client has `getToken`); otherwise it ends the connection. */
  canRenewToken?: boolean;
  /** A frame the server sent that does not match the protocol: logged, never fatal. */
  onProtocolError?: (message: string) => void;
}

const OPEN = 1;
/** Not a wire code: the close we report when our own ping went unanswered. */
export const PONG_TIMEOUT_CODE = 4000;
/** Not a wire code: the close we report when the browser said it went offline. */
export const OFFLINE_CODE = 4002;

/**
 * A WebSocket that keeps itself connected: reconnects with backoff, detects dead links with
 * ping/pong, and wakes up early on `online` and on a tab becoming visible. Framework-free.
 */
export class Connection {
  private state: ConnectionState = INITIAL_STATE;
  private socket: SocketLike | null = null;
  private retryTimer: unknown = null;
  private pingTimer: unknown = null;
  private pongTimer: unknown = null;
  /** When the pong we wait for is due; Infinity while none is awaited. */
  private pongDueAt = Number.POSITIVE_INFINITY;
  private unsubscribeWakeups: (() => void) | null = null;
  private unsubscribeLinkLost: (() => void) | null = null;
  /** The browser said it went offline, and no socket has opened since: every drop until then is "offline". */
  private offline = false;
  private readonly listeners = new Set<() => void>();
  private readonly backoff: Backoff;

  constructor(private readonly options: ConnectionOptions) {
    this.backoff = options.backoff ?? exponentialBackoff();
  }

  getState(): ConnectionState {
    return this.state;
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    if (!this.unsubscribeWakeups && this.options.wakeups) {
      this.unsubscribeWakeups = this.options.wakeups.subscribe(() => this.wake());
    }
    if (!this.unsubscribeLinkLost && this.options.linkLost) {
      this.unsubscribeLinkLost = this.options.linkLost.subscribe(() => this.linkLost());
    }
    this.dispatch({ type: "start" });
  }

  stop(): void {
    this.unsubscribeWakeups?.();
    this.unsubscribeWakeups = null;
    this.unsubscribeLinkLost?.();
    this.unsubscribeLinkLost = null;
    this.dispatch({ type: "stop" });
  }

  /** Skips the rest of the backoff wait. */
  retryNow(): void {
    this.dispatch({ type: "retry-now" });
  }

  /** Sends a frame if the socket is open; returns whether it was handed to the socket. */
  send(frame: ClientFrame): boolean {
    if (this.state.status !== "open" || !this.socket || this.socket.readyState !== OPEN) return false;
    this.socket.send(encode(frame));
    return true;
  }

  /**
   * Something suggests the link may be dead (e.g. a send went unanswered): ping now and drop the
   * socket unless a frame arrives within the short probe deadline. Does nothing unless open.
   */
  probe(): void {
    this.sendPing(this.options.probeTimeoutMs ?? CLIENT_DEFAULTS.probeTimeoutMs);
  }

  /** The browser went offline: a socket that is open or opening cannot work, so reconnect (the `online` wakeup retries at once). */
  private linkLost(): void {
    this.offline = true;
    if (this.state.status === "open" || this.state.status === "connecting") this.dropped(OFFLINE_CODE);
  }

  private wake(): void {
    if (this.state.status === "reconnecting") this.retryNow();
    else if (this.state.status === "open") {
      // A socket that died while the tab slept may not have fired onclose yet.
      if (this.socket?.readyState !== OPEN) this.dropped(LOCAL_CLOSE_CODES.abnormal);
      else this.sendPing();
    }
  }

  private dispatch(event: ConnectionEvent): void {
    const previous = this.state;
    const next = transition(previous, event);
    if (next === previous) return;
    this.state = next;
    this.enter(previous, next);
    for (const listener of this.listeners) listener();
  }

  /** Side effects of entering a state: the machine itself stays pure. */
  private enter(previous: ConnectionState, next: ConnectionState): void {
    const { timers } = this.options;
    if (previous.status === "reconnecting") timers.clearTimeout(this.retryTimer);
    switch (next.status) {
      case "connecting":
        this.openSocket();
        break;
      case "open":
        this.schedulePing();
        break;
      case "reconnecting":
        this.dropSocket();
        this.retryTimer = timers.setTimeout(() => this.dispatch({ type: "retry-now" }), Math.max(0, next.retryAt - timers.now()));
        break;
      case "closed":
        this.dropSocket(CLOSE_CODES.normal.code);
        break;
    }
  }

  private openSocket(): void {
    const socket = this.options.createSocket(this.options.url);
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.offline = false;
      this.dispatch({ type: "opened" });
    };
    socket.onmessage = (event) => {
      if (this.socket !== socket) return;
      this.alive();
      const decoded = decodeServerFrameTolerant(event.data);
      if (decoded.ok) this.options.onFrame(decoded.frame);
      else this.options.onProtocolError?.(decoded.error.message);
    };
    socket.onclose = (event) => {
      if (this.socket === socket) this.dropped(event.code);
    };
    socket.onerror = () => {
      // onclose always follows; the close code says what happened.
    };
  }

  private dropped(code: number): void {
    const delayMs = this.backoff(attemptAfterDrop(this.state));
    // Retries that fail while the browser is offline fail for that reason, whatever code the socket gave.
    this.dispatch({
      type: "dropped",
      code: this.offline ? OFFLINE_CODE : code,
      now: this.options.timers.now(),
      delayMs,
      canRenewToken: this.options.canRenewToken ?? false,
    });
  }

  private dropSocket(code?: number): void {
    const { timers } = this.options;
    timers.clearTimeout(this.pingTimer);
    timers.clearTimeout(this.pongTimer);
    this.pongDueAt = Number.POSITIVE_INFINITY;
    const socket = this.socket;
    this.socket = null;
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
    try {
      socket.close(code ?? CLOSE_CODES.normal.code);
    } catch {
      // Closing a socket that never opened can throw in some browsers; it is gone either way.
    }
  }

  private schedulePing(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.pingTimer);
    this.pingTimer = timers.setTimeout(() => this.sendPing(), this.options.pingIntervalMs ?? CLIENT_DEFAULTS.pingIntervalMs);
  }

  /** Pings and waits at most `timeoutMs` for any frame; a pong already awaited keeps its earlier deadline. */
  private sendPing(timeoutMs = this.options.pongTimeoutMs ?? CLIENT_DEFAULTS.pongTimeoutMs): void {
    const { timers } = this.options;
    const now = timers.now();
    if (!this.send({ type: "ping", t: now })) return;
    const dueAt = Math.min(this.pongDueAt, now + timeoutMs);
    if (dueAt === this.pongDueAt) return;
    this.pongDueAt = dueAt;
    timers.clearTimeout(this.pongTimer);
    this.pongTimer = timers.setTimeout(() => {
      // No answer: the link is dead even if the socket has not noticed.
      if (this.socket) this.dropped(PONG_TIMEOUT_CODE);
    }, dueAt - now);
  }

  /** Any frame proves the link works. */
  private alive(): void {
    this.options.timers.clearTimeout(this.pongTimer);
    this.pongTimer = null;
    this.pongDueAt = Number.POSITIVE_INFINITY;
    if (this.state.status === "open") this.schedulePing();
  }
}
