import { useEffect } from "react";

/**
 * Sets the tab title, prefixed with the unread count over the user's rooms. The client counts it
 * (every room but the active one while the page is visible, all of them while it is hidden), so a
 * message in another room shows here as soon as it arrives.
 */
export function useUnreadTitle(title: string, totalUnread: number, format: (count: number, title: string) => string): void {
  useEffect(() => {
    document.title = totalUnread > 0 ? format(totalUnread, title) : title;
  }, [totalUnread, title, format]);
}
