/** A message's own address: `/r/<room>/<seq>` (the lobby's too, so a link always names its room). */
export function messagePath(room: string, seq: number): string {
  return `/r/${encodeURIComponent(room)}/${seq}`;
}

/** The absolute link to a message, as "Copy link" gives it. */
export function messageUrl(room: string, seq: number, origin: string = window.location.origin): string {
  return `${origin}${messagePath(room, seq)}`;
}

/**
 * Takes the page to a message (a notification's click, a search hit): a new history entry at the
 * message's address, then the same `popstate` the back button gives, so the one place that reads
 * the address (use-room-navigation) opens the room and the message there: the same path as
 * following a link.
 */
export function navigateToMessage(room: string, seq: number): void {
  if (typeof window === "undefined") return;
  window.history.pushState(null, "", messagePath(room, seq));
  window.dispatchEvent(new PopStateEvent("popstate"));
}
