import { DEFAULT_ROOM, isValidRoom, type NameCheck, normalizeName } from "@chatroom/protocol";

/** The room a `/r/<room>` (or a message's `/r/<room>/<seq>`) path asks for, decoded but as typed, valid or not; null for any other path. */
export function roomSegment(pathname: string): string | null {
  const match = /^\/r\/([^/]+)(?:\/\d+)?\/?$/.exec(pathname);
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

/** What the page's address asks for when it loads, worked out without touching the page. */
export interface InitialRoute {
  /** The room to open: the one the path names, or the lobby. */
  room: string;
  /** The room segment as typed when it names no valid room, so the page can say so; otherwise null. */
  refusedRoom: string | null;
  /** Where the address bar should point (same query and fragment), or null when it already does. */
  canonicalUrl: string | null;
  /** A link's `?name=` as given, to prefill the dialog; null without one. */
  rawName: string | null;
  /** `?name=` checked: used only if valid; otherwise the dialog asks, saying why. */
  urlName: NameCheck | null;
}

export function initialRoute(location: Pick<Location, "pathname" | "search" | "hash">): InitialRoute {
  const room = roomFromPath(location.pathname);
  const requested = roomSegment(location.pathname);
  const canonicalPath = pathForRoom(room);
  const rawName = new URLSearchParams(location.search).get("name");
  return {
    room,
    refusedRoom: requested !== null && requested.toLowerCase() !== room ? requested : null,
    canonicalUrl: location.pathname === canonicalPath ? null : `${canonicalPath}${location.search}${location.hash}`,
    rawName,
    urlName: rawName === null ? null : normalizeName(rawName),
  };
}
