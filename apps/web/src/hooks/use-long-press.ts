import { type TouchEvent, useEffect, useRef } from "react";

/** Held this long without moving, a touch is a long press (about what phones use for a context menu). */
const LONG_PRESS_MS = 450;

/**
 * Touch handlers that call `onLongPress` when a finger rests on the element. Moving or lifting the
 * finger first cancels it, so scrolling the list never opens anything.
 */
export function useLongPress(onLongPress: () => void) {
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const cancel = () => {
    if (timer.current !== null) clearTimeout(timer.current);
    timer.current = null;
  };
  // A pending press ends with the component (the ref is read at unmount, not captured).
  useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return {
    onTouchStart: (event: TouchEvent) => {
      if (event.touches.length !== 1) return cancel();
      cancel();
      timer.current = setTimeout(() => {
        timer.current = null;
        onLongPress();
      }, LONG_PRESS_MS);
    },
    onTouchMove: cancel,
    onTouchEnd: cancel,
    onTouchCancel: cancel,
  };
}
