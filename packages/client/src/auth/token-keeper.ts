import type { ClientFrame } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";

/** When a JWT was issued and when it expires, in seconds since the epoch, as its payload says. */
export interface TokenTimes {
  exp: number;
  iat?: number;
}

/**
 * Reads `exp` (and `iat`) from a compact JWT's payload. Only to schedule the refresh: the client
 * never trusts a token's claims, the server verifies them. Null when the payload says no `exp`.
 */
export function tokenTimes(token: string): TokenTimes | null {
  const payload = token.split(".")[1];
  if (!payload) return null;
  try {
    const base64 = payload.replace(/-/g, "+").replace(/_/g, "/");
    const json = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, "="))) as Record<string, unknown>;
    if (typeof json.exp !== "number") return null;
    return { exp: json.exp, ...(typeof json.iat === "number" ? { iat: json.iat } : {}) };
  } catch {
    return null;
  }
}

/**
 * When to refresh a token: `share` of the way through its life (from `iat`, or from `now` when it
 * has none), never sooner than `minDelayMs` from now (a token already near its end is refreshed
 * soon, not in a loop).
 */
export function refreshDelayMs(times: TokenTimes, now: number, share: number, minDelayMs: number): number {
  const start = times.iat !== undefined ? times.iat * 1000 : now;
  const due = start + (times.exp * 1000 - start) * share;
  return Math.max(minDelayMs, due - now);
}

export interface TokenKeeperOptions {
  /** The host app's token source (`ChatClientOptions.getToken`). */
  getToken: () => Promise<string>;
  timers: ConnectionTimers;
  /** Sends `auth` on the open connection; false when it cannot now. */
  send: (frame: ClientFrame) => boolean;
  /** How far through a token's life it is refreshed (0.8: at 80 %). */
  refreshShare: number;
  refreshMinDelayMs: number;
  /** The token source failed: the page should hear of it. */
  onError: (error: unknown) => void;
}

/**
 * The host app's token (`AUTH=jwt`): fetched before a `hello`, sent in it, refreshed inside the
 * open connection with `auth` before it expires, and fetched anew after the server refused it
 * (4401). One fetch at a time; the refresh timer is injected like every other timer.
 */
export class TokenKeeper {
  private token: string | undefined;
  private fetching: Promise<string | undefined> | null = null;
  private refreshTimer: unknown = null;

  constructor(private readonly options: TokenKeeperOptions) {}

  /** The token to send in `hello`: the one held, or a fresh one. Undefined when the source failed. */
  current(): Promise<string | undefined> {
    if (this.token !== undefined) return Promise.resolve(this.token);
    return this.fetch();
  }

  /** The server refused or expired the token (4401, `token_invalid`, `token_expired`): the next one is fetched. */
  invalidate(): void {
    this.token = undefined;
    this.cancelRefresh();
  }

  /** The token went in a `hello` on an open link: refresh it before it runs out. */
  sent(token: string): void {
    const times = tokenTimes(token);
    if (times) this.scheduleRefresh(times);
  }

  /** `authed {exp}`: the refreshed token is in force until `exp`. */
  authed(exp: number): void {
    const times = this.token !== undefined ? tokenTimes(this.token) : null;
    this.scheduleRefresh({ exp, ...(times?.iat !== undefined ? { iat: times.iat } : {}) });
  }

  /** The link went: no `auth` can go on it; the next `hello` carries the token. */
  linkLost(): void {
    this.cancelRefresh();
  }

  dispose(): void {
    this.cancelRefresh();
  }

  private fetch(): Promise<string | undefined> {
    this.fetching ??= this.options
      .getToken()
      .then(
        (token) => {
          this.token = token;
          return token;
        },
        (error: unknown) => {
          this.options.onError(error);
          return undefined;
        },
      )
      .finally(() => {
        this.fetching = null;
      });
    return this.fetching;
  }

  private scheduleRefresh(times: TokenTimes): void {
    const { timers, refreshShare, refreshMinDelayMs } = this.options;
    this.cancelRefresh();
    const delay = refreshDelayMs(times, timers.now(), refreshShare, refreshMinDelayMs);
    this.refreshTimer = timers.setTimeout(() => {
      this.refreshTimer = null;
      this.token = undefined;
      void this.fetch().then((token) => {
        if (token !== undefined) this.options.send({ type: "auth", token });
      });
    }, delay);
  }

  private cancelRefresh(): void {
    this.options.timers.clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
  }
}
