import type { ChatClient, ChatSnapshot, ConnectionState } from "@chatroom/client";
import { useMemo, useSyncExternalStore } from "react";
import { UI_TUNABLES } from "../ui-tunables";

/**
 * `subscribe` with the listener called at most once per `intervalMs`: the first change at once,
 * the ones that follow within the interval together at its end. A busy room (or a catch-up
 * pouring thousands of messages in) then costs one render per interval rather than one per frame.
 */
export function throttledSubscribe(
  subscribe: (listener: () => void) => () => void,
  intervalMs: number,
  now: () => number = () => performance.now(),
) {
  return (listener: () => void) => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    let last = Number.NEGATIVE_INFINITY;
    const fire = () => {
      timer = null;
      last = now();
      listener();
    };
    const unsubscribe = subscribe(() => {
      if (timer !== null) return;
      const wait = last + intervalMs - now();
      if (wait <= 0) fire();
      else timer = setTimeout(fire, wait);
    });
    return () => {
      if (timer !== null) clearTimeout(timer);
      unsubscribe();
    };
  };
}

export function useChat(client: ChatClient): ChatSnapshot {
  const subscribe = useMemo(() => throttledSubscribe(client.subscribe, UI_TUNABLES.renderIntervalMs), [client]);
  return useSyncExternalStore(subscribe, client.getSnapshot, client.getSnapshot);
}

export function useConnectionStatus(client: ChatClient): ConnectionState {
  const snapshot = useChat(client);
  return snapshot.connection;
}
