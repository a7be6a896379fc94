import { DEFAULT_ROOM, isValidRoom } from "@chatroom/protocol";

/** `/r/<room>` names a room; `/` (or anything else) is the lobby. */
export function roomFromPath(pathname: string): string {
  const match = /^\/r\/([^/]+)\/?$/.exec(pathname);
  const room = match?.[1] ? decodeURIComponent(match[1]).toLowerCase() : DEFAULT_ROOM;
  return isValidRoom(room) ? room : DEFAULT_ROOM;
}

export function pathForRoom(room: string): string {
  return room === DEFAULT_ROOM ? "/" : `/r/${encodeURIComponent(room)}`;
}
