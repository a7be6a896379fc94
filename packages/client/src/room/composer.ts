import { codePointLength, normalizeEmoji, type ReadyLimits } from "@chatroom/protocol";
import type { Outbox, OutboxChange } from "../outbox/outbox";
import type { ModerateRequest } from "../outbox/outbox-entry";
import type { Alerts } from "./alerts";

export interface ComposerOptions {
  outbox: Outbox;
  alerts: Alerts;
  /** The server's limits, from the latest `ready`. */
  limits: () => ReadyLimits;
  /** A chat went out: our typing indicator ends with it. */
  stopTyping: () => void;
  /** Something changed: publish it, and save the outbox at once when `save` (it must survive a reload right after Send). */
  changed: (save: boolean) => void;
}

/**
 * The user's commands on a room's outbox: post a chat (maybe a reply), edit, delete, react, and
 * retry or discard what failed. Checks what the client can check by itself (empty or too long a
 * text, not one emoji, not a chat's seq) so the server is not asked for what it would refuse;
 * everything else (whose message it is, the edit window, a deleted target) is the server's call.
 */
export class Composer {
  constructor(private readonly options: ComposerOptions) {}

  /** Queues a chat (a reply when `replyTo` names one): it shows at once as pending and goes out whenever the link can take it. */
  send(rawText: string, options: { replyTo?: number } = {}): boolean {
    const { replyTo } = options;
    const text = this.checkedText(rawText);
    if (text === null || (replyTo !== undefined && !isSeq(replyTo))) return false;
    this.options.stopTyping();
    return this.queue({ kind: "chat", text, ...(replyTo !== undefined ? { replyTo } : {}) });
  }

  /** Queues an edit of our chat at `target`. */
  edit(target: number, rawText: string): boolean {
    const text = this.checkedText(rawText);
    return text !== null && isSeq(target) && this.queue({ kind: "edit", target, text });
  }

  /** Queues the deletion of our chat at `target`. */
  remove(target: number): boolean {
    return isSeq(target) && this.queue({ kind: "delete", target });
  }

  /** Queues setting (`on`) or clearing our `emoji` on the chat at `target`. */
  react(target: number, rawEmoji: string, on: boolean): boolean {
    // The server takes the emoji in its RGI form ("❤" is "❤️"): pending toggles then match the chips.
    const emoji = normalizeEmoji(rawEmoji);
    return emoji !== null && isSeq(target) && this.queue({ kind: "react", target, emoji, on });
  }

  /** Queues a moderation action (staff): it goes out, is acked and resent like a change. The server checks the rank. */
  moderate(request: ModerateRequest): boolean {
    return this.queue({ kind: "moderate", request });
  }

  retry(clientMsgId: string): void {
    if (this.options.outbox.retry(clientMsgId)) this.options.changed(true);
  }

  discard(clientMsgId: string): void {
    this.options.outbox.remove(clientMsgId);
    this.options.changed(true);
  }

  /** The trimmed text, or null when it is empty or too long (which the user is told). */
  private checkedText(rawText: string): string | null {
    const text = rawText.trim();
    if (!text) return null;
    const { alerts, limits } = this.options;
    const { maxTextLength } = limits();
    if (codePointLength(text) > maxTextLength) {
      alerts.raise("too_long_local", `Messages can be at most ${maxTextLength} characters.`);
      this.options.changed(false);
      return null;
    }
    alerts.resolve("sent");
    return text;
  }

  private queue(change: OutboxChange): boolean {
    this.options.outbox.add(change);
    this.options.changed(true);
    return true;
  }
}

function isSeq(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}
