import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import type { Strings } from "../i18n/strings";
import { useStrings } from "../i18n/use-strings";

/**
 * The banners above the log: the current alert, messages left unsent in other rooms, a refused room
 * path, and a name the server adjusted.
 */
export function Notices({
  client,
  chat,
  roomNotice,
  onDismissRoomNotice,
  onOpenRoom,
  onRename,
}: {
  client: ChatClient;
  chat: ChatSnapshot;
  /** The room path typed that names no valid room, or null. */
  roomNotice: string | null;
  onDismissRoomNotice: () => void;
  onOpenRoom: (room: string) => void;
  onRename: () => void;
}) {
  const t = useStrings();
  return (
    <>
      {chat.alert && (
        <div className="alert alert-error" role="alert" data-testid="alert" data-code={chat.alert.code}>
          <span>{alertText(chat.alert, chat, t)}</span>
          <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
            {t.dismiss}
          </button>
        </div>
      )}
      {chat.unsentElsewhere.map(({ room, count, sending }) => (
        <div key={room} className="alert alert-info" role="status" data-testid="unsent-elsewhere" data-room={room}>
          <span>
            {!sending
              ? t.unsentElsewhere(count, room)
              : chat.connection.status === "open"
                ? t.sendingElsewhere(count, room)
                : t.waitingElsewhere(count, room)}
          </span>
          {!sending && (
            <button type="button" className="link-button" onClick={() => onOpenRoom(room)}>
              {t.openRoom(room)}
            </button>
          )}
        </div>
      ))}
      {roomNotice && (
        <div className="alert alert-info" role="status" data-testid="room-notice">
          <span>{t.roomPathInvalid(roomNotice)}</span>
          <button type="button" className="link-button" onClick={onDismissRoomNotice}>
            {t.dismiss}
          </button>
        </div>
      )}
      {chat.nameAdjusted && (
        <div className="alert alert-info" role="status" data-testid="name-adjusted">
          <span>{t.nameAdjusted(chat.nameAdjusted.requested, chat.nameAdjusted.given)}</span>
          <span className="alert-actions">
            <button type="button" className="link-button" onClick={onRename}>
              {t.changeName}
            </button>
            <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
              {t.dismiss}
            </button>
          </span>
        </div>
      )}
    </>
  );
}

function alertText(alert: NonNullable<ChatSnapshot["alert"]>, chat: ChatSnapshot, t: Strings): string {
  switch (alert.code) {
    case "name_taken":
      return t.nameTaken(alert.name ?? "");
    case "too_long_local":
    case "too_long":
      return t.tooLong(chat.limits.maxTextLength);
    default:
      // The server's own wording is English; the code says the same in the page's language.
      return t.errorCode(alert.code);
  }
}
