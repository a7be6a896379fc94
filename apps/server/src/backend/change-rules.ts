import { DEFAULT_LIMITS, type ReactionSummary } from "@chatroom/protocol";
import type { StoredChat } from "./chat-state";
import type { ChangeRequest, RefusalCode } from "./message-store";

/**
 * The rules of a change, as pure functions, that every store (memory, SQLite, PostgreSQL) applies
 * inside the step that assigns the seq; the contract suite holds every store to them.
 */

export interface Refusal {
  ok: false;
  code: RefusalCode;
  message: string;
}

export const REFUSALS = {
  notFound: { ok: false, code: "not_found", message: "there is no chat with that seq in this room" },
  gone: { ok: false, code: "gone", message: "that message was deleted" },
  notAuthor: { ok: false, code: "forbidden", message: "only its author may edit or delete a message" },
  notAuthorOrStaff: {
    ok: false,
    code: "forbidden",
    message: "only its author or staff of at least the author's rank may delete a message",
  },
  windowPassed: { ok: false, code: "forbidden", message: "the edit window for that message has passed" },
  tooManyEmoji: {
    ok: false,
    code: "forbidden",
    message: `a message carries at most ${DEFAULT_LIMITS.maxReactionEmoji} distinct emoji`,
  },
} as const satisfies Record<string, Refusal>;

/** The seq a change points at: the chat it edits, deletes or reacts to, or the one a chat replies to. */
export function targetOf(request: ChangeRequest): number | undefined {
  if (request.kind === "moderate") return undefined;
  return request.kind === "chat" ? request.replyTo : request.target;
}

/**
 * Checks (2) to (4) of an append that depend on the target alone, in the contract's order.
 * `target` is the chat at `targetOf(request)` in the request's room, undefined when there is no
 * chat there (nothing, or an event of another kind). The emoji cap is `reactionChange`'s.
 * `deletesOthers(authorId)`: whether the actor may delete a chat by that author (staff of at
 * least the author's rank, access-rules.ts `mayDeleteOthers`).
 */
export function checkTarget(
  request: ChangeRequest,
  target: StoredChat | undefined,
  now: number,
  deletesOthers: (authorId: string) => boolean,
): Refusal | undefined {
  if (targetOf(request) === undefined) return undefined;
  if (!target) return REFUSALS.notFound;
  if (target.deleted) return REFUSALS.gone;
  if (request.kind !== "edit" && request.kind !== "delete") return undefined;
  if (target.from.id !== request.actor.id) {
    if (request.kind === "edit") return REFUSALS.notAuthor;
    if (!deletesOthers(target.from.id)) return REFUSALS.notAuthorOrStaff;
  }
  if (request.kind === "edit" && request.editWindowMs !== undefined && now - target.ts > request.editWindowMs) return REFUSALS.windowPassed;
  return undefined;
}

export type ReactionOutcome =
  /** Already on, or already off: nothing is stored. */
  { kind: "unchanged" } | { kind: "refused"; refusal: Refusal } | { kind: "changed"; reactions: ReactionSummary[] | undefined };

export interface ReactionChange {
  emoji: string;
  userId: string;
  on: boolean;
  /** Whether this user's `emoji` is on now: the store knows it exactly, past the listed users too. */
  wasOn: boolean;
}

/**
 * One user's one emoji set or cleared, by the rule clients apply to `reaction` events, so a chat
 * read back from the store is exactly what a client that applied every event holds: the count
 * moves by one; a user is listed if fewer than `reactionUsersListed` are (a place freed by a
 * clear is not refilled from those beyond it); an emoji at count 0 goes, a new one goes last.
 * Returns new arrays; `current` is left as it was.
 */
export function reactionChange(current: readonly ReactionSummary[] | undefined, change: ReactionChange): ReactionOutcome {
  if (change.on === change.wasOn) return { kind: "unchanged" };
  const reactions = (current ?? []).map((entry) => ({ emoji: entry.emoji, count: entry.count, users: [...entry.users] }));
  const index = reactions.findIndex((entry) => entry.emoji === change.emoji);
  if (change.on) {
    if (index < 0 && reactions.length >= DEFAULT_LIMITS.maxReactionEmoji) return { kind: "refused", refusal: REFUSALS.tooManyEmoji };
    const entry = index < 0 ? { emoji: change.emoji, count: 0, users: [] } : (reactions[index] as ReactionSummary);
    if (index < 0) reactions.push(entry);
    entry.count++;
    if (entry.users.length < DEFAULT_LIMITS.reactionUsersListed) entry.users.push(change.userId);
  } else if (index >= 0) {
    const entry = reactions[index] as ReactionSummary;
    entry.count--;
    entry.users = entry.users.filter((user) => user !== change.userId);
    if (entry.count <= 0) reactions.splice(index, 1);
  }
  return { kind: "changed", reactions: reactions.length > 0 ? reactions : undefined };
}
