import type { ChatClient } from "@chatroom/client";
import { useEffect } from "react";
import { usePageVisible } from "../../hooks/use-page-visible";

/**
 * Marks the active room read once its newest message has been on screen: the reader is at the
 * bottom of the log while the page is visible. Checked again whenever a new row comes in, the
 * reader comes back to the bottom, or the page comes back into view. What is checked is the DOM
 * as it is now (`isNewestOnScreen`), not the virtualizer's at-bottom state alone: that state is
 * also true for a moment while a room opening at its "new messages" line is still being laid out,
 * and the room must not count as read then. The client sends a marker only when it moves forward,
 * and coalesces them, so this may call it often.
 */
export function useMarkRead({
  client,
  atBottom,
  isNewestOnScreen,
  newestKey,
  renderedRange,
}: {
  client: ChatClient;
  /** The list's at-bottom state: a change re-runs the check. */
  atBottom: boolean;
  isNewestOnScreen: () => boolean;
  /** The newest row's key: a change means something new may be on screen. */
  newestKey: string | undefined;
  /** Which rows are rendered: a change means the reader (or the layout) moved. */
  renderedRange: string;
}): void {
  const visible = usePageVisible();
  // atBottom, newestKey and renderedRange are triggers; isNewestOnScreen() is what is read (the DOM, through a fresh function each render).
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (visible && atBottom && isNewestOnScreen()) client.markRead();
  }, [client, visible, atBottom, newestKey, renderedRange]);
}
