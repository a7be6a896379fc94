import type { ChatClient, RoomSummary } from "@chatroom/client";
import { useCallback, useEffect, useState } from "react";
import { messageFromPath, pathForRoom, roomFromPath } from "../room-route";

/** What the page says after the user left a room with messages still on their way. */
export interface LeftWithUnsent {
  room: string;
  unsent: number;
}

export interface RoomNavigation {
  /** Opens a room (joining it if it is not one of the user's yet), as a new history entry. */
  goToRoom(room: string): void;
  /** Leaves a room; its unsent messages are still delivered, and `leftWithUnsent` says so. */
  leaveRoom(summary: RoomSummary): void;
  leftWithUnsent: LeftWithUnsent | null;
  dismissLeftNotice(): void;
}

/**
 * The address bar and the active room, kept in step. Opening a room pushes `/r/<room>`; the back
 * and forward buttons open the room of the address they land on (joining it again if it was
 * left); and when the client changes the active room by itself (the active room was left), the
 * address follows without a new history entry. A link to a message (`/r/<room>/<seq>`) stays in
 * the address while that message is the one opened (`focusSeq`), so a reload opens it again.
 */
export function useRoomNavigation(client: ChatClient, activeRoom: string, focusSeq: number | null): RoomNavigation {
  const [leftWithUnsent, setLeftWithUnsent] = useState<LeftWithUnsent | null>(null);

  useEffect(() => {
    const onPop = () => {
      const { pathname } = window.location;
      const seq = messageFromPath(pathname);
      if (seq === null) client.openRoom(roomFromPath(pathname));
      else client.openMessage(roomFromPath(pathname), seq);
    };
    window.addEventListener("popstate", onPop);
    return () => window.removeEventListener("popstate", onPop);
  }, [client]);

  useEffect(() => {
    const { pathname } = window.location;
    const showing = focusSeq !== null && messageFromPath(pathname) === focusSeq && roomFromPath(pathname) === activeRoom;
    const path = pathForRoom(activeRoom);
    if (!showing && pathname !== path) window.history.replaceState(null, "", `${path}${window.location.search}${window.location.hash}`);
  }, [activeRoom, focusSeq]);

  const goToRoom = useCallback(
    (room: string) => {
      // The client may have opened the room already (`createRoom` does): the address still
      // gets its own history entry, so Back returns to the room the user came from.
      const path = pathForRoom(room);
      if (window.location.pathname !== path) window.history.pushState(null, "", path);
      if (room !== client.getSnapshot().room) client.openRoom(room);
    },
    [client],
  );

  const leaveRoom = useCallback(
    (summary: RoomSummary) => {
      client.leaveRoom(summary.room);
      setLeftWithUnsent(summary.unsent > 0 ? { room: summary.room, unsent: summary.unsent } : null);
    },
    [client],
  );

  return { goToRoom, leaveRoom, leftWithUnsent, dismissLeftNotice: useCallback(() => setLeftWithUnsent(null), []) };
}
