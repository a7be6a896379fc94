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
  /** The same, as it stands right now (read from effects). */
  isAtBottom(): boolean;
  /** Chats from others that arrived while the reader was scrolled up. */
  unseen: number;
  /** For `atBottomStateChange`. */
  onAtBottomChange(atBottom: boolean): void;
  /** For the scroller's `onScroll`. */
  onScroll(event: { currentTarget: HTMLElement }): void;
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
  const atBottomNow = useRef(false);
  const [atBottom, setAtBottom] = useState(false);
  // Counted from here while the reader is away from the bottom; null while at it.
  const [unseenFrom, setUnseenFrom] = useState<number | null>(startsAtBottom ? null : incomingCount);
  const latestIncoming = useRef(incomingCount);
  latestIncoming.current = incomingCount;
  const stick = useRef(startsAtBottom);
  const lastScrollTop = useRef(0);

  const scrollToEnd = () => virtuoso.current?.scrollToIndex({ index: "LAST", align: "end" });

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
    isAtBottom: () => atBottomNow.current,
    unseen: unseenFrom === null ? 0 : incomingCount - unseenFrom,
    onAtBottomChange: (value) => {
      atBottomNow.current = value;
      setAtBottom(value);
      if (value) stick.current = true;
      setUnseenFrom((from) => (value ? null : (from ?? latestIncoming.current)));
    },
    onScroll: ({ currentTarget: { scrollTop, scrollHeight, clientHeight } }) => {
      if (scrollHeight - scrollTop - clientHeight <= UI_TUNABLES.bottomSlackPx) stick.current = true;
      else if (scrollTop < lastScrollTop.current) stick.current = false;
      lastScrollTop.current = scrollTop;
    },
    onHeightChange: () => {
      if (stick.current) scrollToEnd();
    },
    jumpToBottom,
  };
}
