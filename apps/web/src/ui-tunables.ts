/** Every tunable of the web page's own behaviour, in one place (the client's live in its options). */
export const UI_TUNABLES = {
  /** Within this distance of the bottom, the reader counts as "at the bottom" and follows new messages. */
  bottomSlackPx: 48,
  /** Scrolled this close to the top, the next older page comes in (from memory, or from the server). */
  loadOlderWithinPx: 80,
  /** The page renders the client's changes at most this often: a burst of messages is laid out once, not once each. */
  renderIntervalMs: 50,
  /** Rows rendered beyond the visible part of the log, above and below, so a scroll shows rows already laid out. */
  overscanPx: 600,
  /** Consecutive messages from one author within this long share one header. */
  groupWindowMs: 5 * 60_000,
  /** The composer's counter shows from this share of the limit on, so it only appears when it matters. */
  counterFrom: 0.9,
  /** How often the room list asks the server for open rooms, and how many. */
  roomsRefreshMs: 5_000,
  roomsListed: 50,
  /** The `@` autocomplete lists at most this many people. */
  mentionSuggestionsMax: 8,
  /** A desktop notification's body shows at most this many characters of the message. */
  notificationTextMax: 180,
} as const;
