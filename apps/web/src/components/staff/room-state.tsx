import type { RoomAccess } from "@chatroom/client";
import { useStrings } from "../../i18n/use-strings";
import { intervalText } from "./interval-text";

/** The room header's state: private, locked, slow mode. */
export function RoomState({ access }: { access: RoomAccess }) {
  const t = useStrings();
  const s = t.staff;
  return (
    <span className="room-state" data-testid="room-state">
      {access.private && (
        <span className="state-badge" data-testid="room-private">
          {s.privateBadge}
        </span>
      )}
      {access.locked && (
        <span className="state-badge" data-testid="room-locked">
          {s.lockedBadge}
        </span>
      )}
      {access.slowModeMs > 0 && (
        <span className="state-badge" data-testid="room-slow-mode">
          {s.slowModeBadge(intervalText(access.slowModeMs, t))}
        </span>
      )}
    </span>
  );
}
