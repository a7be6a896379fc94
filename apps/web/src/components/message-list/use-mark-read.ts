import type { ChatClient } from "@chatroom/client";
import { useEffect } from "react";
import { usePageVisible } from "../../hooks/use-page-visible";

/**
 * Marks the active room read once its newest message has been on screen: the reader follows the
 * bottom of the log while the page is visible. Checked again whenever a new row comes in, the
 * reader comes back to the bottom, or the page comes back into view. Effects run after the scroll
 * anchor's layout effects have placed the log, and `isAtBottom` reads where it is now (opening at
 * the "new messages" line stops following in the same commit), so this never marks what the
 * reader has not been shown. The client sends a marker only when it moves forward, and coalesces
 * them, so this may call it often.
 */
export function useMarkRead({
  client,
  atBottom,
  isAtBottom,
  newestKey,
}: {
  client: ChatClient;
  /** The scroll anchor's state: a change re-runs the check. */
  atBottom: boolean;
  isAtBottom: () => boolean;
  /** The newest rendered row's key: a change means something new is on screen. */
  newestKey: string | undefined;
}): void {
  const visible = usePageVisible();
  // atBottom and newestKey are triggers; isAtBottom() is what is read (a ref behind a fresh function each render).
  // biome-ignore lint/correctness/useExhaustiveDependencies: see above
  useEffect(() => {
    if (visible && isAtBottom()) client.markRead();
  }, [client, visible, atBottom, newestKey]);
}
