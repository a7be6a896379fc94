import { type RefObject, useLayoutEffect, useRef, useState } from "react";
import { UI_TUNABLES } from "../../ui-tunables";
import type { RenderWindow } from "./use-render-window";

/**
 * Scroll anchoring: follow new messages while the reader is at the bottom; while they are scrolled
 * up, keep what they look at in place as items come in above, and count what arrives below.
 */

type ScrollMetrics = Pick<HTMLElement, "scrollHeight" | "scrollTop" | "clientHeight">;

/** Within `slackPx` of the bottom counts as at the bottom, so a pixel of rounding does not stop following. */
export function isNearBottom({ scrollHeight, scrollTop, clientHeight }: ScrollMetrics, slackPx: number): boolean {
  return scrollHeight - scrollTop - clientHeight < slackPx;
}

export interface ScrollAnchorSource {
  scroller: RefObject<HTMLElement | null>;
  renderWindow: RenderWindow;
  /** Grows by one per chat from someone else (the client's counter). */
  incomingCount: number;
  /** Pending own messages: one more means the user sent something. */
  outboxCount: number;
}

export interface ScrollAnchor {
  onScroll(): void;
  /** Bring older items in, keeping the reader where they are. */
  showOlder(): void;
  jumpToBottom(): void;
  /** Chats from others that arrived while the reader was scrolled up. */
  unseen: number;
  /** The reader follows the bottom, so the newest row is on screen (a state, so a change re-renders). */
  atBottom: boolean;
  /** The same, as it stands right now (read from effects that run before the state's next render). */
  isAtBottom(): boolean;
  /** Scrolls `element` to the top of the log and stops following the bottom (unless everything fits). */
  showAtTop(element: HTMLElement): void;
}

export function useScrollAnchor({ scroller, renderWindow, incomingCount, outboxCount }: ScrollAnchorSource): ScrollAnchor {
  const atBottom = useRef(true);
  // The same as a state, for what renders from it (marking the room read); the ref is what the
  // layout effect and the scroll handler read without waiting for a render.
  const [following, setFollowing] = useState(true);
  const follow = (value: boolean) => {
    atBottom.current = value;
    setFollowing(value);
  };
  // Incoming chats counted while the reader is scrolled up; null while following the bottom.
  const [unseenFrom, setUnseenFrom] = useState<number | null>(null);
  const previousLayout = useRef<{ firstKey: string | undefined; height: number }>({ firstKey: undefined, height: 0 });
  const firstKey = renderWindow.visible[0]?.key;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const previous = previousLayout.current;
    if (atBottom.current) element.scrollTop = element.scrollHeight;
    else if (previous.firstKey !== undefined && firstKey !== previous.firstKey) {
      // Items came in above the reader: keep what they were looking at in place.
      element.scrollTop += element.scrollHeight - previous.height;
    }
    previousLayout.current = { firstKey, height: element.scrollHeight };
  });

  function jumpToBottom() {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
    follow(true);
    setUnseenFrom(null);
    renderWindow.followBottom();
  }

  // Sending is a request to see the bottom, wherever the reader was.
  const previousOutbox = useRef(outboxCount);
  useLayoutEffect(() => {
    if (outboxCount > previousOutbox.current) jumpToBottom();
    previousOutbox.current = outboxCount;
  });

  const showAtTop = (element: HTMLElement) => {
    const log = scroller.current;
    if (!log) return;
    log.scrollTop += element.getBoundingClientRect().top - log.getBoundingClientRect().top;
    if (isNearBottom(log, UI_TUNABLES.bottomSlackPx)) return;
    follow(false);
    setUnseenFrom(incomingCount);
    renderWindow.holdPosition();
  };

  const showOlder = () => {
    if (!renderWindow.canShowOlder) return;
    // The window grows upwards: stop following the bottom, or the next layout would jump there.
    follow(false);
    renderWindow.showOlder();
  };

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const wasAtBottom = atBottom.current;
    follow(isNearBottom(element, UI_TUNABLES.bottomSlackPx));
    if (atBottom.current) {
      setUnseenFrom(null);
      renderWindow.followBottom();
    } else if (wasAtBottom) {
      setUnseenFrom(incomingCount);
      renderWindow.holdPosition();
    }
    if (element.scrollTop < UI_TUNABLES.loadOlderWithinPx) showOlder();
  };

  return {
    onScroll,
    showOlder,
    jumpToBottom,
    unseen: unseenFrom === null ? 0 : incomingCount - unseenFrom,
    atBottom: following,
    isAtBottom: () => atBottom.current,
    showAtTop,
  };
}
