import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import type { LeftWithUnsent } from "../hooks/use-room-navigation";
import type { Strings } from "../i18n/strings";
import { useStrings } from "../i18n/use-strings";

/**
 * The banners above the log: the current alert, a room left with messages still on their way, a
 * refused room path, and a name the server adjusted.
 */
export function Notices({
  client,
  chat,
  roomNotice,
  onDismissRoomNotice,
  leftWithUnsent,
  onDismissLeft,
  onRename,
}: {
  client: ChatClient;
  chat: ChatSnapshot;
  /** The room path typed that names no valid room, or null. */
  roomNotice: string | null;
  onDismissRoomNotice: () => void;
  /** The room just left with unsent messages, which the client still delivers; null otherwise. */
  leftWithUnsent: LeftWithUnsent | null;
  onDismissLeft: () => void;
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
      {chat.roomRemoval && (
        <div
          className="alert alert-error"
          role="alert"
          data-testid="room-removed"
          data-room={chat.roomRemoval.room}
          data-reason={chat.roomRemoval.reason}
        >
          <span>{t.staff.removed(chat.roomRemoval.room, chat.roomRemoval.reason, chat.roomRemoval.by?.name)}</span>
          <button type="button" className="link-button" onClick={() => client.dismissAlert()}>
            {t.dismiss}
          </button>
        </div>
      )}
      {leftWithUnsent && (
        <div className="alert alert-info" role="status" data-testid="left-with-unsent" data-room={leftWithUnsent.room}>
          <span>{t.leftWithUnsent(leftWithUnsent.unsent, leftWithUnsent.room)}</span>
          <button type="button" className="link-button" onClick={onDismissLeft}>
            {t.dismiss}
          </button>
        </div>
      )}
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
