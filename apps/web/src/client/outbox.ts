import type { ErrorCode } from "@chatroom/protocol";

export type OutboxStatus = "pending" | "sent" | "failed";

export interface OutboxEntry {
  clientMsgId: string;
  text: string;
  status: OutboxStatus;
  createdAt: number;
  /** When the current attempt went out over an open socket; 0 while waiting for one. */
  sentAt: number;
  /** Set once acked: the entry stays until its own chat echo is in the log. */
  seq?: number;
  failure?: string;
  /** The server's error code when it refused the message, so a UI can say why in its own language. */
  failureCode?: ErrorCode;
  /**
   * Set on a `failed` entry that failed only because no answer came (ack timeout), not because the
   * server refused it: it turns pending again when the link drops and goes out again, with the same
   * `clientMsgId`, on the next welcome. The server dedupes by that id, so resending is safe.
   */
  unanswered?: boolean;
}

/** Not known to be stored, and not refused: it still has to go out (a pending send, or one only unanswered). */
export function isUnsent(entry: OutboxEntry): boolean {
  return entry.status === "pending" || (entry.status === "failed" && entry.unanswered === true);
}

/** A failed entry that was only unanswered goes back to pending: it will be resent on the next welcome. */
export function requeueUnanswered(entry: OutboxEntry): void {
  if (entry.status !== "failed" || !entry.unanswered) return;
  entry.status = "pending";
  entry.sentAt = 0;
  delete entry.failure;
  delete entry.failureCode;
  delete entry.unanswered;
}

export function newClientMsgId(random: () => number = Math.random): string {
  let id = Date.now().toString(36);
  for (let i = 0; i < 12; i++) id += Math.floor(random() * 36).toString(36);
  return id;
}
