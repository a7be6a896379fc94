import { useSyncExternalStore } from "react";
import type { ChatClient, ChatSnapshot } from "../client/chat-client";
import type { ConnectionState } from "../client/connection-machine";

export function useChat(client: ChatClient): ChatSnapshot {
  return useSyncExternalStore(client.subscribe, client.getSnapshot, client.getSnapshot);
}

export function useConnectionStatus(client: ChatClient): ConnectionState {
  const snapshot = useChat(client);
  return snapshot.connection;
}
