import { CLOSE_CODES, reconnectPolicyFor } from "@chatroom/protocol";
import { CLIENT_DEFAULTS } from "../options";

/**
 * Why the connection is closed: `stopped` by us, `rejected` by a close code that says do not
 * reconnect, `replaced` by a newer connection of our session (4001), `outdated`: the server does not
 * speak this client's protocol (4505), and only a newer client (a reload) can help, `unauthorized`:
 * the server wants a fresh token (4401) and this client has no `getToken` to fetch one.
 */
export type ClosedReason = "stopped" | "rejected" | "replaced" | "outdated" | "unauthorized";

/** The connection's whole state. Only `transition` makes a new one. */
export type ConnectionState =
  | { status: "connecting"; attempt: number }
  | { status: "open"; attempt: 0 }
  /** `renewToken`: the server refused or expired our token (4401): fetch a new one before the next attempt. */
  | { status: "reconnecting"; attempt: number; retryAt: number; lastCode: number; renewToken?: true }
  | { status: "closed"; reason: ClosedReason; lastCode?: number };

export type ConnectionEvent =
  | { type: "start" }
  | { type: "opened" }
  /** `delayMs` is the backoff the caller drew for this attempt; the machine may only lengthen it. */
  | { type: "dropped"; code: number; now: number; delayMs: number; canRenewToken?: boolean }
  | { type: "retry-now" }
  | { type: "stop" };

export const INITIAL_STATE: ConnectionState = { status: "closed", reason: "stopped" };

/** A client closed for flooding (4029) waits at least this long, whatever its backoff says. */
export const ABUSE_BACKOFF_FLOOR_MS = CLIENT_DEFAULTS.abuseBackoffFloorMs;

/** Which reconnect attempt a drop in `state` leads to: 1 after a working link, one more after a failed try. */
export function attemptAfterDrop(state: ConnectionState): number {
  return state.status === "connecting" || state.status === "reconnecting" ? state.attempt + 1 : 1;
}

/**
 * The one place the state changes. Close codes decide whether to retry, per the protocol's
 * table: 4001 and 4501 (and the other "do not reconnect" codes) end the connection; everything
 * else, unknown codes such as 1006 included, schedules a reconnect.
 */
export function transition(state: ConnectionState, event: ConnectionEvent): ConnectionState {
  switch (event.type) {
    case "start":
      return state.status === "closed" ? { status: "connecting", attempt: 0 } : state;
    case "opened":
      return state.status === "connecting" ? { status: "open", attempt: 0 } : state;
    case "dropped": {
      if (state.status === "closed") return state;
      const policy = reconnectPolicyFor(event.code);
      if (event.code === CLOSE_CODES.unsupportedProtocol.code) return { status: "closed", reason: "outdated", lastCode: event.code };
      // 1000 from the server is a plain goodbye (e.g. an idle proxy); coming back costs nothing.
      if (policy === "none" && event.code !== CLOSE_CODES.normal.code)
        return { status: "closed", reason: "rejected", lastCode: event.code };
      if (policy === "new-session") return { status: "closed", reason: "replaced", lastCode: event.code };
      if (policy === "new-token" && !event.canRenewToken) return { status: "closed", reason: "unauthorized", lastCode: event.code };
      const delayMs = policy === "backoff" ? Math.max(event.delayMs, ABUSE_BACKOFF_FLOOR_MS) : event.delayMs;
      // A fresh token, then a resume; with the backoff, so a host app refusing tokens is not hammered.
      const renew = policy === "new-token" ? { renewToken: true as const } : {};
      return { status: "reconnecting", attempt: attemptAfterDrop(state), retryAt: event.now + delayMs, lastCode: event.code, ...renew };
    }
    case "retry-now":
      if (state.status === "reconnecting") return { status: "connecting", attempt: state.attempt };
      // An outdated client would only be refused again: a reload (a newer client) is the way out.
      return state.status === "closed" && state.reason !== "stopped" && state.reason !== "outdated" && state.reason !== "unauthorized"
        ? { status: "connecting", attempt: 0 }
        : state;
    case "stop":
      return state.status === "closed" && state.reason === "stopped" ? state : { status: "closed", reason: "stopped" };
  }
}
