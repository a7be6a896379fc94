import type { ChatClient } from "@chatroom/client";

/** The path of the link to the chat at `seq` of `room`: `/r/<room>/<seq>` (the server serves the page there). */
export function messagePath(room: string, seq: number): string {
  return `/r/${encodeURIComponent(room)}/${seq}`;
}

/** The absolute link to a message, as "Copy link" gives it. */
export function messageUrl(room: string, seq: number, origin: string = window.location.origin): string {
  return `${origin}${messagePath(room, seq)}`;
}

/**
 * Opens a message in place, exactly as following its link does (search results, notification
 * clicks): a new history entry at its path, then the client shows the room around it.
 */
export function openMessageInPlace(client: ChatClient, room: string, seq: number): void {
  const path = messagePath(room, seq);
  if (window.location.pathname !== path) window.history.pushState(null, "", path);
  client.openMessage(room, seq);
}
