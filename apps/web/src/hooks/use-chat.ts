import type { ChatClient, ChatSnapshot, ConnectionState } from "@chatroom/client";
import { useSyncExternalStore } from "react";

type Subscribe = (listener: () => void) => () => void;

/** Runs `task` in a later task of the event loop; returns what cancels it. */
export type ScheduleTask = (task: () => void) => () => void;

const nextTask: ScheduleTask = (task) => {
  const handle = setTimeout(task, 0);
  return () => clearTimeout(handle);
};

/**
 * `subscribe`, with a burst of changes told to the listener once, in a later task. The client
 * publishes on every frame from the server, and React renders (and the log lays itself out) at
 * once on every store notification: a busy room cost the page one render per message, plus one
 * for the read marker that moved, so a tab could fall thousands of messages behind the socket.
 * Told once per task instead, the page applies every frame already queued, then renders once.
 */
export function coalesceNotifications(subscribe: Subscribe, schedule: ScheduleTask = nextTask): Subscribe {
  return (listener) => {
    let cancel: (() => void) | null = null;
    const unsubscribe = subscribe(() => {
      cancel ??= schedule(() => {
        cancel = null;
        listener();
      });
    });
    return () => {
      cancel?.();
      cancel = null;
      unsubscribe();
    };
  };
}

/** One coalescing subscription per client, so React keeps its subscription across renders. */
const subscriptions = new WeakMap<ChatClient, Subscribe>();

/** The subscription `useChat` hands React. */
export function chatSubscription(client: ChatClient): Subscribe {
  let subscribe = subscriptions.get(client);
  if (!subscribe) {
    subscribe = coalesceNotifications(client.subscribe);
    subscriptions.set(client, subscribe);
  }
  return subscribe;
}

export function useChat(client: ChatClient): ChatSnapshot {
  return useSyncExternalStore(chatSubscription(client), client.getSnapshot, client.getSnapshot);
}

export function useConnectionStatus(client: ChatClient): ConnectionState {
  const snapshot = useChat(client);
  return snapshot.connection;
}
