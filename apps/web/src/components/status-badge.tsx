import type { ConnectionState } from "@chatroom/client";
import { useStrings } from "../i18n/use-strings";

export function StatusBadge({ state }: { state: ConnectionState }) {
  const t = useStrings();
  const notJoined = state.status === "closed" && state.reason === "stopped";
  const label = {
    connecting: t.statusConnecting,
    open: t.statusOpen,
    reconnecting: t.statusReconnecting,
    closed: notJoined ? t.notJoined : t.statusClosed,
  }[state.status];
  return (
    <output
      className={`status-badge status-${state.status}${notJoined ? " status-idle" : ""}`}
      data-status={state.status}
      aria-live="polite"
    >
      <span className="status-dot" aria-hidden="true" />
      <span className="status-label">{label}</span>
    </output>
  );
}
