import type { LogItem } from "@chatroom/client";
import { useLayoutEffect, useMemo, useState } from "react";
import { UI_TUNABLES } from "../../ui-tunables";

/**
 * Windowing: which slice of the log is in the DOM. A long log stays in memory, but only the newest
 * page is rendered while following the bottom; scrolling up brings older pages in one at a time.
 * This file is the one to replace with a virtualizer (react-virtuoso, @tanstack/react-virtual):
 * the list and the scroll anchoring only use what `useRenderWindow` returns.
 */

/** The last index holding `key`, or -1 (searched from the end, where the window usually starts). */
export function lastIndexOfKey(items: readonly { key: string }[], key: string): number {
  for (let i = items.length - 1; i >= 0; i--) if (items[i]?.key === key) return i;
  return -1;
}

/**
 * Where the rendered window starts: at the anchored item while the reader is scrolled up (so the
 * window does not slide under them as items arrive), else at the newest `pageSize` items. An
 * anchor no longer in the log (cleared, or replaced) falls back to the newest page.
 */
export function windowStart(items: readonly { key: string }[], anchorKey: string | null, pageSize: number): number {
  const anchored = anchorKey === null ? -1 : lastIndexOfKey(items, anchorKey);
  return anchored >= 0 ? anchored : Math.max(0, items.length - pageSize);
}

/** The key to anchor at to bring one more page above `start` into the window; null with an empty log. */
export function olderPageAnchor(items: readonly { key: string }[], start: number, pageSize: number): string | null {
  return items[Math.max(0, start - pageSize)]?.key ?? null;
}

const PAGE_SIZE = UI_TUNABLES.renderPage;

export interface RenderWindowSource {
  items: readonly LogItem[];
  /** A page of older history is being fetched from the server. */
  loadingOlder: boolean;
  /** The server may hold older history and it can be asked for now. */
  canLoadOlder: boolean;
  loadOlder(): void;
}

export interface RenderWindow {
  /** The items to render, oldest first. */
  visible: readonly LogItem[];
  /** Older items are in memory but not rendered. */
  hasHiddenOlder: boolean;
  /** `showOlder()` has something to bring in: hidden items, or older history the server can be asked for. */
  canShowOlder: boolean;
  /** Render the newest page and keep following new items. */
  followBottom(): void;
  /** Keep the current first item as the window's start while the reader is scrolled up. */
  holdPosition(): void;
  /** Bring the next older page in (from memory, or asked from the server); nothing if there is none. */
  showOlder(): void;
}

export function useRenderWindow({ items, loadingOlder, canLoadOlder, loadOlder }: RenderWindowSource): RenderWindow {
  // The first rendered item while the reader is scrolled up; null while following the bottom.
  const [anchorKey, setAnchorKey] = useState<string | null>(null);
  // Set while an older page asked from the server has yet to be brought into the DOM.
  const [wantOlder, setWantOlder] = useState(false);

  const start = windowStart(items, anchorKey, PAGE_SIZE);
  const visible = useMemo(() => (start === 0 ? items : items.slice(start)), [items, start]);
  const firstKey = visible[0]?.key;

  // An older page arrived from the server: bring it into the DOM.
  useLayoutEffect(() => {
    if (!wantOlder || loadingOlder) return;
    setWantOlder(false);
    if (start > 0) setAnchorKey(olderPageAnchor(items, start, PAGE_SIZE));
  }, [wantOlder, loadingOlder, start, items]);

  return {
    visible,
    hasHiddenOlder: start > 0,
    canShowOlder: start > 0 || canLoadOlder,
    followBottom: () => setAnchorKey(null),
    holdPosition: () => setAnchorKey(firstKey ?? null),
    showOlder: () => {
      if (start > 0) {
        setAnchorKey(olderPageAnchor(items, start, PAGE_SIZE));
      } else if (canLoadOlder) {
        setAnchorKey(firstKey ?? null);
        setWantOlder(true);
        loadOlder();
      }
    },
  };
}
