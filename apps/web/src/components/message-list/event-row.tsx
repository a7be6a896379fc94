import type { EventEntry, LogEvent } from "@chatroom/client";
import { memo } from "react";
import type { Strings } from "../../i18n/strings";
import { useStrings } from "../../i18n/use-strings";

function eventText(event: LogEvent, t: Strings): string {
  switch (event.kind) {
    case "joined":
      return t.joined(event.user.name);
    case "left":
      return t.left(event.user.name);
    case "renamed":
      return t.renamed(event.previousName, event.user.name);
    case "notice":
      return event.text;
    case "connected":
      return t.connectionOpened;
    case "disconnected":
      return t.connectionClosed;
  }
}

/** The inside of a local event line between chats: someone joined, left or was renamed; the link dropped or came back. */
export const EventRow = memo(function EventRow({ entry }: { entry: EventEntry }) {
  const t = useStrings();
  return <span>{eventText(entry.event, t)}</span>;
});
