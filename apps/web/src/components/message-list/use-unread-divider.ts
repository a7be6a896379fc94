import type { ChatSnapshot } from "@chatroom/client";
import { useEffect, useMemo, useState } from "react";
import type { UnreadMarker } from "./group-rows";

/**
 * Where this opening of the room puts its "new messages" line: at the read marker the room had
 * when it was opened (the snapshot's `readMarkerSeq`), but only if something was unread then.
 * Opening a room that had nothing new shows no line, so the messages that arrive while the reader
 * watches do not pile up under one. The question is settled once the room's log is current (its
 * `joined` arrived); until then an unread count from `ready` already says there is news. The list
 * is mounted once per room, so every opening decides afresh.
 */
export function useUnreadDivider(chat: ChatSnapshot): UnreadMarker | null {
  const summary = chat.rooms.find((room) => room.room === chat.room);
  const [opening, setOpening] = useState<"undecided" | "had-news" | "nothing-new">("undecided");
  const unread = summary?.unread ?? 0;
  const joined = summary?.status === "joined";

  useEffect(() => {
    if (opening !== "undecided") return;
    if (unread > 0) setOpening("had-news");
    else if (joined) setOpening("nothing-new");
  }, [opening, unread, joined]);

  const readSeq = opening === "had-news" ? chat.readMarkerSeq : null;
  const myId = chat.me?.id;
  // One object while nothing changes, so the rows built from it are not rebuilt on every render.
  return useMemo(() => (readSeq === null ? null : { readSeq, myId }), [readSeq, myId]);
}
