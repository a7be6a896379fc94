import { DEFAULT_ROOM, isValidRoom, type NameCheck, normalizeName } from "@chatroom/protocol";
import { messagePath } from "./message-link";

/** `/r/<room>`, or a link to a message: `/r/<room>/<seq>`. */
const ROOM_PATH = /^\/r\/([^/]+)(?:\/([1-9]\d{0,15}))?\/?$/;

/** The room a `/r/<room>` (or `/r/<room>/<seq>`) path asks for, decoded but as typed, valid or not; null for any other path. */
export function roomSegment(pathname: string): string | null {
  const match = ROOM_PATH.exec(pathname);
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

/** The seq a link to a message names (`/r/<room>/<seq>`), or null. */
export function messageFromPath(pathname: string): number | null {
  const seq = Number(ROOM_PATH.exec(pathname)?.[2]);
  return Number.isSafeInteger(seq) && seq > 0 ? seq : null;
}

export function pathForRoom(room: string): string {
  return room === DEFAULT_ROOM ? "/" : `/r/${encodeURIComponent(room)}`;
}

/** What the page's address asks for when it loads, worked out without touching the page. */
export interface InitialRoute {
  /** The room to open: the one the path names, or the lobby. */
  room: string;
  /** The message a link names (`/r/<room>/<seq>` of a valid room), to open around it; otherwise null. */
  message: number | null;
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
  const refusedRoom = requested !== null && requested.toLowerCase() !== room ? requested : null;
  const message = refusedRoom === null ? messageFromPath(location.pathname) : null;
  const canonicalPath = message === null ? pathForRoom(room) : messagePath(room, message);
  const rawName = new URLSearchParams(location.search).get("name");
  return {
    room,
    message,
    refusedRoom,
    canonicalUrl: location.pathname === canonicalPath ? null : `${canonicalPath}${location.search}${location.hash}`,
    rawName,
    urlName: rawName === null ? null : normalizeName(rawName),
  };
}
