import type { ChatFrame } from "@chatroom/protocol";
import { applyReaction } from "../room/chat-reducer";
import type { OutboxEntry } from "./outbox-entry";

/** The user's own changes to one chat that are on their way (not yet in the log). */
export interface PendingChange {
  /** The text of the newest pending edit. */
  text?: string;
  /** A delete is on its way. */
  deleted: boolean;
  /** Per emoji, the newest pending toggle (`on`: adding ours, off: taking ours back), in first-toggle order. */
  reactions: { emoji: string; on: boolean }[];
}

/**
 * Per target seq, what the user's pending edits, deletes and reactions will do, so a UI can show
 * them at once. Pending means queued, in flight, acked but not yet in the log, or unanswered (it
 * goes out again by itself); a refused change is not pending, its outbox row says why.
 */
export function pendingOverlay(outbox: readonly OutboxEntry[]): ReadonlyMap<number, PendingChange> {
  const overlay = new Map<number, PendingChange>();
  for (const entry of outbox) {
    if (entry.kind === "chat" || entry.target === undefined) continue;
    if (entry.status === "failed" && !entry.unanswered) continue;
    let change = overlay.get(entry.target);
    if (!change) {
      change = { deleted: false, reactions: [] };
      overlay.set(entry.target, change);
    }
    if (entry.kind === "edit") change.text = entry.text;
    else if (entry.kind === "delete") change.deleted = true;
    else if (entry.emoji !== undefined && entry.on !== undefined) {
      const { emoji, on } = entry;
      const existing = change.reactions.find((toggle) => toggle.emoji === emoji);
      if (existing) existing.on = on;
      else change.reactions.push({ emoji, on });
    }
  }
  return overlay;
}

/**
 * `chat` as the user should see it with their pending `change` on top: the pending edit's text,
 * and their own reactions toggled (a toggle that would change nothing changes nothing). A pending
 * delete is left to the UI to show its own way (`change.deleted`). `me` is the user's id. Pure:
 * the log keeps the chat as the server has it.
 */
export function withPending(chat: ChatFrame, change: PendingChange | undefined, me: string): ChatFrame {
  if (!change || chat.deleted) return chat;
  let reactions = chat.reactions ?? [];
  for (const toggle of change.reactions) {
    const mine = reactions.find((summary) => summary.emoji === toggle.emoji)?.users.includes(me) ?? false;
    if (mine !== toggle.on) reactions = applyReaction(reactions, { emoji: toggle.emoji, on: toggle.on, by: { id: me, name: "" } });
  }
  const { reactions: _reactions, ...rest } = chat;
  return {
    ...rest,
    ...(change.text !== undefined ? { text: change.text } : {}),
    ...(reactions.length > 0 ? { reactions } : {}),
  };
}
