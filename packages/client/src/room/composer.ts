import { codePointLength, normalizeEmoji, type ReadyLimits } from "@chatroom/protocol";
import type { Outbox, OutboxChange } from "../outbox/outbox";
import type { Alerts } from "./alerts";

export interface ComposerOptions {
  outbox: Outbox;
  alerts: Alerts;
  /** The server's limits, from the latest `ready`. */
  limits: () => ReadyLimits;
  /** An entry was queued: the room publishes it and saves the outbox at once (it must survive a reload right after). */
  onQueued: (change: OutboxChange) => void;
}

/**
 * The user's commands that put something in the outbox: a chat (maybe a reply), an edit, a
 * delete, a reaction. Checks what the client can check by itself (empty or too long a text, not
 * one emoji, not a chat's seq) so the server is not asked for what it would refuse; everything
 * else (whose message it is, the edit window, a deleted target) is the server's call.
 */
export class Composer {
  constructor(private readonly options: ComposerOptions) {}

  send(rawText: string, replyTo?: number): boolean {
    const text = this.checkedText(rawText);
    if (text === null || (replyTo !== undefined && !isSeq(replyTo))) return false;
    return this.queue({ kind: "chat", text, ...(replyTo !== undefined ? { replyTo } : {}) });
  }

  edit(target: number, rawText: string): boolean {
    const text = this.checkedText(rawText);
    if (text === null || !isSeq(target)) return false;
    return this.queue({ kind: "edit", target, text });
  }

  remove(target: number): boolean {
    return isSeq(target) && this.queue({ kind: "delete", target });
  }

  react(target: number, rawEmoji: string, on: boolean): boolean {
    // The server takes the emoji in its RGI form ("❤" is "❤️"): pending toggles then match the chips.
    const emoji = normalizeEmoji(rawEmoji);
    return emoji !== null && isSeq(target) && this.queue({ kind: "react", target, emoji, on });
  }

  /** The trimmed text, or null when it is empty or too long (which the user is told). */
  private checkedText(rawText: string): string | null {
    const text = rawText.trim();
    if (!text) return null;
    const { alerts, limits } = this.options;
    const { maxTextLength } = limits();
    if (codePointLength(text) > maxTextLength) {
      alerts.raise("too_long_local", `Messages can be at most ${maxTextLength} characters.`);
      return null;
    }
    alerts.resolve("sent");
    return text;
  }

  private queue(change: OutboxChange): boolean {
    this.options.outbox.add(change);
    this.options.onQueued(change);
    return true;
  }
}

function isSeq(value: number): boolean {
  return Number.isInteger(value) && value >= 1;
}
