import { type ErrorCode, moderateFrameSchema, nameSchema } from "@chatroom/protocol";
import type { OutboxChange, OutboxMessage, OutboxState } from "./outbox-entry";

/**
 * Entries read back from storage (the `OutboxEntry` form). Nothing is on the wire after a reload:
 * what was in flight or unanswered is queued again (the server dedupes the resend by its id).
 * Storage is outside this code's control (another version, a hand edit), so an entry that is not
 * one this client wrote is skipped rather than allowed to stop the page from starting, and an
 * entry marked sent without its seq is dropped, as before, rather than sent again. Entries saved
 * before changes existed carry no `kind`: they are chats.
 */
export function fromStored(entries: readonly unknown[]): OutboxMessage[] {
  const restored: OutboxMessage[] = [];
  for (const value of entries) {
    if (typeof value !== "object" || value === null) continue;
    const entry = value as Record<string, unknown>;
    const change = changeFrom(entry);
    const state = stateFrom(entry);
    if (!change || !state || typeof entry.clientMsgId !== "string" || typeof entry.createdAt !== "number") continue;
    restored.push({ ...change, clientMsgId: entry.clientMsgId, createdAt: entry.createdAt, state });
  }
  return restored;
}

function changeFrom(entry: Record<string, unknown>): OutboxChange | null {
  const { kind, text, target, emoji, on, replyTo, moderate } = entry;
  switch (kind ?? "chat") {
    case "chat":
      if (typeof text !== "string") return null;
      return { kind: "chat", text, ...(isSeq(replyTo) ? { replyTo } : {}) };
    case "edit":
      return typeof text === "string" && isSeq(target) ? { kind: "edit", target, text } : null;
    case "delete":
      return isSeq(target) ? { kind: "delete", target } : null;
    case "react":
      return isSeq(target) && typeof emoji === "string" && typeof on === "boolean" ? { kind: "react", target, emoji, on } : null;
    case "moderate":
      return moderateFrom(moderate);
    default:
      return null;
  }
}

const storedModerate = moderateFrameSchema(nameSchema());

/** A saved moderation request, checked as the frame it will become (storage may hold anything). */
function moderateFrom(value: unknown): OutboxChange | null {
  if (typeof value !== "object" || value === null) return null;
  const parsed = storedModerate.safeParse({ ...value, type: "moderate", room: "r", clientMsgId: "c" });
  if (!parsed.success) return null;
  const { type: _type, room: _room, clientMsgId: _id, ...request } = parsed.data;
  return { kind: "moderate", request };
}

function stateFrom(entry: Record<string, unknown>): OutboxState | null {
  switch (entry.status) {
    case "pending":
      return { kind: "queued" };
    case "sent":
      return isSeq(entry.seq) ? { kind: "acked", seq: entry.seq } : null;
    case "failed": {
      if (entry.unanswered === true) return { kind: "queued" };
      const failure = typeof entry.failure === "string" ? entry.failure : "";
      const failureCode = typeof entry.failureCode === "string" ? (entry.failureCode as ErrorCode) : undefined;
      return { kind: "refused", failure, ...(failureCode ? { failureCode } : {}) };
    }
    default:
      return null;
  }
}

function isSeq(value: unknown): value is number {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}
