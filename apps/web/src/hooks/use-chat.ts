import type { ChatClient, ChatSnapshot, ConnectionState } from "@chatroom/client";
import { useSyncExternalStore } from "react";

export function useChat(client: ChatClient): ChatSnapshot {
  return useSyncExternalStore(client.subscribe, client.getSnapshot, client.getSnapshot);
}

export function useConnectionStatus(client: ChatClient): ConnectionState {
  const snapshot = useChat(client);
  return snapshot.connection;
}
