import type { LogItem } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { canEdit } from "./message-list/message-actions";

/** The user's newest chat in the log that may still be edited (what Up in an empty composer edits), or undefined. */
export function lastEditable(
  items: readonly LogItem[],
  myId: string | undefined,
  editWindowMs: number | undefined,
  now: number,
): ChatFrame | undefined {
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i];
    if (item?.type === "chat" && item.message.from.id === myId && !item.message.deleted) {
      return canEdit(item.message, myId, editWindowMs, now) ? item.message : undefined;
    }
  }
  return undefined;
}
