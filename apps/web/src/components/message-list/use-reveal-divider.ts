import { type RefObject, useLayoutEffect, useRef } from "react";

/**
 * Opening a room with more news than fits on screen starts at its "new messages" line rather than
 * at the bottom, so the reader starts where their news does. The reader is then not at the bottom,
 * and the room stays unread until they scroll down to its newest message. Done once per opening
 * (the list is mounted per room), when the line first appears: at once for a room already joined,
 * or when its `joined` brings the messages in.
 */
export function useRevealDivider({
  scroller,
  hasDivider,
  showAtTop,
}: {
  scroller: RefObject<HTMLElement | null>;
  hasDivider: boolean;
  showAtTop: (element: HTMLElement) => void;
}): void {
  const revealed = useRef(false);
  useLayoutEffect(() => {
    if (revealed.current || !hasDivider) return;
    const log = scroller.current;
    const line = log?.querySelector<HTMLElement>(".unread-divider");
    if (!log || !line) return;
    revealed.current = true;
    // Already on screen (the news fits below it): stay at the bottom, where the room counts as read.
    if (line.getBoundingClientRect().top >= log.getBoundingClientRect().top) return;
    showAtTop(line);
  });
}
