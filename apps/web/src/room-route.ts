import { DEFAULT_ROOM, isValidRoom } from "@chatroom/protocol";

/** The room a `/r/<room>` path asks for, decoded but as typed, valid or not; null for any other path. */
export function roomSegment(pathname: string): string | null {
  const match = /^\/r\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return null;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    // A malformed escape (`%E0`) names no room; it must not stop the page from loading.
    return match[1];
  }
}

/** `/r/<room>` names a room (case aside); `/` (or anything else, or an invalid name) is the lobby. */
export function roomFromPath(pathname: string): string {
  const room = roomSegment(pathname)?.toLowerCase();
  return room !== undefined && isValidRoom(room) ? room : DEFAULT_ROOM;
}

export function pathForRoom(room: string): string {
  return room === DEFAULT_ROOM ? "/" : `/r/${encodeURIComponent(room)}`;
}
