import type { ChatSnapshot, RoomSummary } from "@chatroom/client";
import { useMemo, useState } from "react";
import type { UnreadMarker } from "./group-rows";

type Opening = "undecided" | "had-news" | "nothing-new";

/** Settled once the room's log is current (its `joined` arrived); before that, an unread count from `ready` already says there is news. */
function decide(summary: RoomSummary | undefined): Opening {
  if (summary && summary.unread > 0) return "had-news";
  return summary?.status === "joined" ? "nothing-new" : "undecided";
}

/**
 * Where this opening of the room puts its "new messages" line: at the read marker the room had
 * when it was opened (the snapshot's `readMarkerSeq`), but only if something was unread then.
 * Opening a room that had nothing new shows no line, so the messages that arrive while the reader
 * watches do not pile up under one. The list is mounted once per room, so every opening decides
 * afresh. Decided during render, not in an effect: the render that brings the news in must already
 * carry the line, or the log would be followed to the bottom and marked read before it appeared.
 */
export function useUnreadDivider(chat: ChatSnapshot): { marker: UnreadMarker | null; decided: boolean } {
  const summary = chat.rooms.find((room) => room.room === chat.room);
  const [settled, setSettled] = useState<Opening>(() => decide(summary));
  let opening = settled;
  if (opening === "undecided") {
    opening = decide(summary);
    // React's pattern for state derived from props: set during render, re-rendered before commit.
    if (opening !== "undecided") setSettled(opening);
  }
  const readSeq = opening === "had-news" ? chat.readMarkerSeq : null;
  const myId = chat.me?.id;
  // One object while nothing changes, so the rows built from it are not rebuilt on every render.
  const marker = useMemo(() => (readSeq === null ? null : { readSeq, myId }), [readSeq, myId]);
  return { marker, decided: opening !== "undecided" };
}
