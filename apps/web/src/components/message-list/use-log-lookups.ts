import type { LogItem } from "@chatroom/client";
import type { ChatFrame, User } from "@chatroom/protocol";
import { useRef, useState } from "react";

/** The held chat at `seq`, or undefined. Searched from the newest: replies and reactions are mostly about recent chats. */
export function findChat(items: readonly LogItem[], seq: number): ChatFrame | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.type !== "chat") continue;
    if (item.message.seq === seq) return item.message;
    if (item.message.seq < seq) return undefined;
  }
  return undefined;
}

/** A name for user `id`: the member's current one, else the newest the log shows them with. */
export function findName(members: readonly User[], items: readonly LogItem[], id: string): string | undefined {
  const member = members.find((user) => user.id === id);
  if (member) return member.name;
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.type === "chat" && item.message.from.id === id) return item.message.from.name;
  }
  return undefined;
}

export interface LogLookups {
  chatAt(seq: number): ChatFrame | undefined;
  nameOf(id: string): string | undefined;
}

/**
 * Lookups into the log as it is now, as functions that stay the same for the list's life. Rows
 * read them when they render (a quote's target, who reacted) instead of taking maps rebuilt on
 * every new message, which would render every row again for each one that arrives.
 */
export function useLogLookups(members: readonly User[], items: readonly LogItem[]): LogLookups {
  const latest = useRef({ members, items });
  latest.current = { members, items };
  const [lookups] = useState<LogLookups>(() => ({
    chatAt: (seq) => findChat(latest.current.items, seq),
    nameOf: (id) => findName(latest.current.members, latest.current.items, id),
  }));
  return lookups;
}
