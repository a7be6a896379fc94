import type { OutboxEntry } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { groupRows, type LogRow, type UnreadMarker } from "./group-rows";

/** One row of the virtualized list: a log row, then the user's unsent chats and refused changes. */
export type ListRow =
  | LogRow
  /** One of the user's chats not yet in the log. */
  | { kind: "outbox"; key: string; entry: OutboxEntry }
  /** A refused edit, delete or reaction whose target is not in the log, so it cannot be shown on it. */
  | { kind: "change"; key: string; entry: OutboxEntry };

/** A change that will not go out again by itself: the server refused it, and the user decides. */
export function isRefused(entry: OutboxEntry): boolean {
  return entry.status === "failed" && !entry.unanswered;
}

/**
 * The list's rows: the log laid out by `groupRows`, then the outbox's chats (pending, sent or
 * failed) at the bottom, then refused changes to chats the log does not hold. A pending or
 * refused change to a held chat is shown on that chat's row, not here.
 */
export function listRows(
  logRows: readonly LogRow[],
  outbox: readonly OutboxEntry[],
  chatAt: (seq: number) => ChatFrame | undefined,
): readonly ListRow[] {
  const tail: ListRow[] = [];
  for (const entry of outbox) {
    if (entry.kind === "chat") tail.push({ kind: "outbox", key: `o-${entry.clientMsgId}`, entry });
    else if (isRefused(entry) && (entry.target === undefined || !chatAt(entry.target)))
      tail.push({ kind: "change", key: `c-${entry.clientMsgId}`, entry });
  }
  return tail.length === 0 ? logRows : [...logRows, ...tail];
}

export { groupRows, type UnreadMarker };
