import type { ChatClient } from "@chatroom/client";
import { useEffect } from "react";
import { usePageVisible } from "../../hooks/use-page-visible";

/**
 * Marks the active room read once its newest message has been on screen: the reader follows the
 * bottom of the log while the page is visible. Checked again whenever a new row comes in, the
 * reader comes back to the bottom, or the page comes back into view. Effects run after the scroll
 * anchor's layout effect has placed the log, so "at the bottom" is where the reader really is.
 * The client sends a marker only when it moves forward, and coalesces them, so this may call it often.
 */
export function useMarkRead({
  client,
  atBottom,
  newestKey,
}: {
  client: ChatClient;
  atBottom: boolean;
  /** The newest rendered row's key: a change means something new is on screen. */
  newestKey: string | undefined;
}): void {
  const visible = usePageVisible();
  const seen = visible && atBottom;
  // biome-ignore lint/correctness/useExhaustiveDependencies: newestKey is the trigger, not an input
  useEffect(() => {
    if (seen) client.markRead();
  }, [client, seen, newestKey]);
}
