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
}

export function newClientMsgId(random: () => number = Math.random): string {
  let id = Date.now().toString(36);
  for (let i = 0; i < 12; i++) id += Math.floor(random() * 36).toString(36);
  return id;
}
