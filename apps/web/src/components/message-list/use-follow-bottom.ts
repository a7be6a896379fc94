import { type RefObject, useLayoutEffect, useRef, useState } from "react";
import type { VirtuosoHandle } from "react-virtuoso";
import { UI_TUNABLES } from "../../ui-tunables";

/**
 * Following the bottom of the log. react-virtuoso follows new rows (`followOutput`) while the
 * reader is at the bottom and reports when they leave it or come back (`atBottomStateChange`);
 * this adds what it leaves to the page:
 * - counting the chats from others that arrive while the reader is scrolled up (the new-messages button);
 * - sticking to the bottom when the newest rows grow in place (a reaction, an edit, a quote), which
 *   react-virtuoso only does for new rows. Whether the reader wants the bottom is read from how
 *   they scroll: moving up away from the bottom lets go, reaching it again holds on. A row growing
 *   does not scroll, so it never lets go.
 */
export interface FollowBottom {
  /** At the bottom (a state, so a change re-renders: it marks the room read). */
  atBottom: boolean;
  /** The scroller element, once react-virtuoso has made it. */
  scroller(): HTMLElement | null;
  /** Chats from others that arrived while the reader was scrolled up. */
  unseen: number;
  /** For `atBottomStateChange`. */
  onAtBottomChange(atBottom: boolean): void;
  /** For `followOutput`: follow new rows while the reader holds on to the bottom. */
  followOutput(atBottom: boolean): "auto" | false;
  /** For `scrollerRef`: where the reader's scrolling is read from. */
  scrollerRef(element: HTMLElement | Window | null): void;
  /** For `totalListHeightChanged`. */
  onHeightChange(): void;
  jumpToBottom(): void;
}

export function useFollowBottom({
  virtuoso,
  incomingCount,
  outboxChats,
  startsAtBottom,
}: {
  virtuoso: RefObject<VirtuosoHandle | null>;
  /** Grows by one per chat from someone else (the client's counter). */
  incomingCount: number;
  /** The user's unsent chats: one more means they sent something, which is a request to see the bottom. */
  outboxChats: number;
  /** False when the room opens at its new-messages line rather than at the bottom. */
  startsAtBottom: boolean;
}): FollowBottom {
  const [atBottom, setAtBottom] = useState(false);
  // Counted from here while the reader is away from the bottom; null while at it.
  const [unseenFrom, setUnseenFrom] = useState<number | null>(startsAtBottom ? null : incomingCount);
  const latestIncoming = useRef(incomingCount);
  latestIncoming.current = incomingCount;
  // Whether the reader holds on to the bottom: set by how they scroll (see above), never by react-virtuoso's
  // at-bottom state, which is also true for a moment while a list opening elsewhere is still being laid out.
  const stick = useRef(startsAtBottom);
  const lastScrollTop = useRef(0);
  const scroller = useRef<HTMLElement | null>(null);
  const distanceFromBottom = (element: HTMLElement) => element.scrollHeight - element.scrollTop - element.clientHeight;

  const scrollToEnd = () => virtuoso.current?.scrollToIndex({ index: "LAST", align: "end" });

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    if (distanceFromBottom(element) <= UI_TUNABLES.bottomSlackPx) stick.current = true;
    else if (element.scrollTop < lastScrollTop.current) stick.current = false;
    lastScrollTop.current = element.scrollTop;
  };

  const jumpToBottom = () => {
    stick.current = true;
    setUnseenFrom(null);
    scrollToEnd();
  };

  // Sending is a request to see the bottom, wherever the reader was.
  const previousOutbox = useRef(outboxChats);
  useLayoutEffect(() => {
    if (outboxChats > previousOutbox.current) jumpToBottom();
    previousOutbox.current = outboxChats;
  });

  return {
    atBottom,
    scroller: () => scroller.current,
    unseen: unseenFrom === null ? 0 : incomingCount - unseenFrom,
    onAtBottomChange: (value) => {
      setAtBottom(value);
      setUnseenFrom((from) => (value ? null : (from ?? latestIncoming.current)));
    },
    // react-virtuoso's own at-bottom test can say no while rows pour in faster than it scrolls; the
    // reader who has not scrolled up still wants them.
    followOutput: (atBottomNow) => (atBottomNow || stick.current ? "auto" : false),
    scrollerRef: (element) => {
      scroller.current?.removeEventListener("scroll", onScroll);
      scroller.current = element instanceof HTMLElement ? element : null;
      scroller.current?.addEventListener("scroll", onScroll, { passive: true });
    },
    onHeightChange: () => {
      const element = scroller.current;
      if (stick.current && element && distanceFromBottom(element) > 1) scrollToEnd();
    },
    jumpToBottom,
  };
}
