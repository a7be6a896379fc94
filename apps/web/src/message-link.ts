/** A message's own address: `/r/<room>/<seq>` (the lobby's too, so a link always names its room). */
export function messagePath(room: string, seq: number): string {
  return `/r/${encodeURIComponent(room)}/${seq}`;
}

/**
 * Takes the page to a message (a notification's click, a search hit): a new history entry at the
 * message's address, then the same `popstate` the back button gives, so the one place that reads
 * the address (use-room-navigation) opens the room and the message there.
 */
export function navigateToMessage(room: string, seq: number): void {
  if (typeof window === "undefined") return;
  window.history.pushState(null, "", messagePath(room, seq));
  window.dispatchEvent(new PopStateEvent("popstate"));
}
