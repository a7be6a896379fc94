import type { RoomSummary } from "@chatroom/client";
import type { ReactNode } from "react";
import { useStrings } from "../../i18n/use-strings";

/**
 * "Your rooms": the user's memberships, each a button that opens it and a button that leaves it.
 * A room with unread chats shows its name in bold and the count; a room with messages still on
 * their way says how many. The active room is marked (`aria-current`) and shows no count: it is
 * the one being read.
 */
export function RoomList({
  rooms,
  active,
  onOpen,
  onLeave,
  children,
}: {
  rooms: readonly RoomSummary[];
  active: string;
  onOpen: (room: string) => void;
  onLeave: (summary: RoomSummary) => void;
  /** The join form, inside the same landmark. */
  children?: ReactNode;
}) {
  const t = useStrings();
  return (
    <nav className="rooms" aria-labelledby="rooms-heading">
      <h2 id="rooms-heading">{t.yourRooms}</h2>
      <ul data-testid="room-list">
        {rooms.map((summary) => (
          <RoomItem
            key={summary.room}
            summary={summary}
            current={summary.room === active}
            onOpen={() => onOpen(summary.room)}
            onLeave={() => onLeave(summary)}
          />
        ))}
      </ul>
      {children}
    </nav>
  );
}

function RoomItem({
  summary,
  current,
  onOpen,
  onLeave,
}: {
  summary: RoomSummary;
  current: boolean;
  onOpen: () => void;
  onLeave: () => void;
}) {
  const t = useStrings();
  const { room, unsent } = summary;
  const unread = current ? 0 : summary.unread;
  const mentions = current ? 0 : summary.unreadMentions;
  return (
    <li
      className="room-item"
      data-testid="room-item"
      data-room={room}
      data-unread={unread}
      data-mentions={mentions}
      data-unsent={unsent}
      data-notify={summary.notify}
    >
      <button
        type="button"
        className={`room-link${current ? " current" : ""}${unread > 0 ? " unread" : ""}`}
        aria-current={current ? "page" : undefined}
        onClick={onOpen}
      >
        <span className="room-link-name">#{room}</span>
        {summary.notify === "none" && (
          <span className="room-muted" title={t.roomMuted} data-testid="room-muted">
            <span aria-hidden="true">🔕</span>
            <span className="visually-hidden">{t.roomMuted}</span>
          </span>
        )}
        {mentions > 0 && (
          <span className="count mention-count" data-testid="room-mentions">
            <span aria-hidden="true">@ {mentions > 99 ? "99+" : mentions}</span>
            <span className="visually-hidden">{t.mentionsInRoom(mentions)}</span>
          </span>
        )}
        {unsent > 0 && (
          <span className="unsent-count" data-testid="room-unsent">
            <span aria-hidden="true">↑{unsent}</span>
            <span className="visually-hidden">{t.unsentInRoom(unsent)}</span>
          </span>
        )}
        {unread > 0 && (
          <span className="count unread-count" data-testid="room-unread">
            <span aria-hidden="true">{unread > 99 ? "99+" : unread}</span>
            <span className="visually-hidden">{t.unreadInRoom(unread)}</span>
          </span>
        )}
      </button>
      <button type="button" className="room-leave icon-button" aria-label={t.leaveRoom(room)} title={t.leaveRoom(room)} onClick={onLeave}>
        <span aria-hidden="true">×</span>
      </button>
    </li>
  );
}
