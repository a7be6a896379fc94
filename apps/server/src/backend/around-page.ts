import type { ChatFrame } from "@chatroom/protocol";
import type { AroundPageResult } from "./message-store";

/**
 * How every store cuts a page around a seq (`history {around}`), from two reads it makes the same
 * way: `older`, the newest `limit + 1` chats with `seq <= around` (capped at what was sent), and
 * `newer`, the oldest `limit + 1` chats with `around < seq <= upTo`, each oldest first. The page
 * gives the older side (the chat at `around` included) the larger half and lends what one side
 * lacks to the other, so a link near either end of a room still fills the page. One read past
 * what a side can take tells whether more exist there, without counting the rest.
 */
export function aroundPage(older: readonly ChatFrame[], newer: readonly ChatFrame[], limit: number): AroundPageResult {
  const olderShare = Math.ceil(limit / 2);
  const takeOlder = Math.min(older.length, Math.max(olderShare, limit - newer.length));
  const takeNewer = Math.min(newer.length, limit - takeOlder);
  return {
    messages: [...older.slice(older.length - takeOlder), ...newer.slice(0, takeNewer)],
    hasOlder: older.length > takeOlder,
    hasNewer: newer.length > takeNewer,
  };
}

/** The reads `aroundPage` needs, clamped: nothing past `upTo`, and a seq below 1 reads nothing older. */
export function aroundBounds(seq: number, upTo: number): { olderBelow: number; newerAfter: number } {
  const pivot = Math.min(seq, upTo);
  return { olderBelow: pivot + 1, newerAfter: pivot };
}
