import type { EventEntry, LogItem } from "@chatroom/client";
import type { ChatFrame, ModerationEvent } from "@chatroom/protocol";

/** One line of the rendered log. */
export type LogRow =
  | { kind: "day"; key: string; ts: number }
  | { kind: "unread"; key: string }
  | { kind: "chat"; key: string; message: ChatFrame; grouped: boolean }
  | { kind: "event"; key: string; entry: EventEntry }
  | { kind: "moderation"; key: string; event: ModerationEvent };

/** Where the "new messages" line goes: above the first chat from someone else after `readSeq`. */
export interface UnreadMarker {
  /** The room's read marker when it was opened (the snapshot's `readMarkerSeq`). */
  readSeq: number;
  /** The user's id: their own messages are never news to them. */
  myId: string | undefined;
}

// A chat's local day, computed once per chat: the rows are laid out again on every new message, over the whole log.
const days = new WeakMap<ChatFrame, string>();
function dayOf(message: ChatFrame): string {
  let day = days.get(message);
  if (day === undefined) {
    day = new Date(message.ts).toDateString();
    days.set(message, day);
  }
  return day;
}

/**
 * Lays log items out as rows: a day separator before the first chat of each (local) day, and a chat
 * `grouped` under the previous one (no header of its own) when the same author wrote it within
 * `groupWindowMs`. Events break a group but not a day. With an `unread` marker, the "new messages"
 * line goes above the first unread chat, which then starts a group of its own.
 */
export function groupRows(items: readonly LogItem[], groupWindowMs: number, unread?: UnreadMarker | null): LogRow[] {
  const rows: LogRow[] = [];
  let previousChat: ChatFrame | undefined;
  let lastDay: string | undefined;
  let markerPlaced = !unread;
  for (const item of items) {
    if (item.type === "event") {
      previousChat = undefined;
      rows.push({ kind: "event", key: item.key, entry: item.entry });
      continue;
    }
    if (item.type === "moderation") {
      previousChat = undefined;
      rows.push({ kind: "moderation", key: item.key, event: item.event });
      continue;
    }
    const message = item.message;
    const day = dayOf(message);
    if (day !== lastDay) {
      lastDay = day;
      previousChat = undefined;
      rows.push({ kind: "day", key: `d-${day}`, ts: message.ts });
    }
    if (!markerPlaced && unread && message.seq > unread.readSeq && message.from.id !== unread.myId) {
      markerPlaced = true;
      previousChat = undefined;
      rows.push({ kind: "unread", key: "unread-marker" });
    }
    const grouped = previousChat !== undefined && previousChat.from.id === message.from.id && message.ts - previousChat.ts < groupWindowMs;
    previousChat = message;
    rows.push({ kind: "chat", key: item.key, message, grouped });
  }
  return rows;
}
