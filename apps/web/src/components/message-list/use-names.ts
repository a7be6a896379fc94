import type { LogItem } from "@chatroom/client";
import type { User } from "@chatroom/protocol";
import { useMemo, useRef } from "react";

/**
 * Names by user id, for saying who reacted: every author in the log, then the room's members (a
 * member's current name wins). The same map is returned while no name changed, so rows that
 * depend on it do not render again for every new message.
 */
export function useNames(members: readonly User[], items: readonly LogItem[]): ReadonlyMap<string, string> {
  const previous = useRef<ReadonlyMap<string, string>>(new Map());
  return useMemo(() => {
    const names = new Map<string, string>();
    for (const item of items) if (item.type === "chat") names.set(item.message.from.id, item.message.from.name);
    for (const member of members) names.set(member.id, member.name);
    const old = previous.current;
    if (old.size === names.size && [...names].every(([id, name]) => old.get(id) === name)) return old;
    previous.current = names;
    return names;
  }, [members, items]);
}
