import { reconnectPolicyFor } from "@chatroom/protocol";

export type ClosedReason = "stopped" | "rejected" | "replaced";

/** The connection's whole state. Only `transition` makes a new one. */
export type ConnectionState =
  | { status: "connecting"; attempt: number }
  | { status: "open"; attempt: 0 }
  | { status: "reconnecting"; attempt: number; retryAt: number; lastCode: number }
  | { status: "closed"; reason: ClosedReason; lastCode?: number };

export type ConnectionEvent =
  | { type: "start" }
  | { type: "opened" }
  | { type: "dropped"; code: number; now: number; delayMs: number }
  | { type: "retry-now" }
  | { type: "stop" };

export const INITIAL_STATE: ConnectionState = { status: "closed", reason: "stopped" };

/**
 * The one place the state changes. Close codes decide whether to retry, per the protocol's
 * table: 4001 and 4501 end the connection; everything else schedules a reconnect.
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
      if (policy === "none" && event.code !== 1000) return { status: "closed", reason: "rejected", lastCode: event.code };
      if (policy === "new-session") return { status: "closed", reason: "replaced", lastCode: event.code };
      const attempt = state.status === "open" ? 1 : state.attempt + 1;
      return { status: "reconnecting", attempt, retryAt: event.now + event.delayMs, lastCode: event.code };
    }
    case "retry-now":
      return state.status === "reconnecting" || (state.status === "closed" && state.reason !== "stopped")
        ? { status: "connecting", attempt: state.status === "reconnecting" ? state.attempt : 0 }
        : state;
    case "stop":
      return { status: "closed", reason: "stopped" };
  }
}
