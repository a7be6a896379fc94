/** The search panel's strings in English (loaded with the panel's chunk). */
export const SEARCH_EN = {
  scope: "Search in",
  thisRoom: (room: string) => `#${room}`,
  allRooms: "All my rooms",
  hint: 'Filters: from:name  in:room  after:2026-01-31  before:2026-02-01  "exact phrase"',
  results: "Search results",
  searching: "Searching…",
  noResults: "No messages found.",
  count: (count: number, more: boolean) =>
    `${count}${more ? "+" : ""} message${count === 1 && !more ? "" : "s"} found. Use ↑ ↓ and Enter to open one.`,
  loadingMore: "Loading more…",
  offline: "Not connected: the search runs once the connection is back.",
  failed: (reason: string) => `Cannot search: ${reason}`,
  inRoom: (room: string) => `in #${room}`,
  openHit: (author: string, room: string, time: string) => `${author} in #${room}, ${time}`,
};

export type SearchStrings = typeof SEARCH_EN;
