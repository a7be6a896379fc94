import { useEffect, useRef, useState } from "react";

/**
 * Sets the tab title, prefixed with how many chats from others arrived while the tab was hidden.
 * `incomingCount` only ever grows, so the unread count is its distance from the value at hide time.
 */
export function useUnreadTitle(title: string, incomingCount: number, format: (count: number, title: string) => string): void {
  const [hiddenAt, setHiddenAt] = useState<number | null>(() => (document.visibilityState === "hidden" ? incomingCount : null));
  const latest = useRef(incomingCount);
  latest.current = incomingCount;

  useEffect(() => {
    const onVisibility = () => setHiddenAt(document.visibilityState === "hidden" ? latest.current : null);
    document.addEventListener("visibilitychange", onVisibility);
    return () => document.removeEventListener("visibilitychange", onVisibility);
  }, []);

  const unread = hiddenAt === null ? 0 : Math.max(0, incomingCount - hiddenAt);
  useEffect(() => {
    document.title = unread > 0 ? format(unread, title) : title;
  }, [unread, title, format]);
}
