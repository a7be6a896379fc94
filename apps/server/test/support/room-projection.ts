import { type ChatFrame, DEFAULT_LIMITS, type PageEvent, type ReactionSummary } from "@chatroom/protocol";

/**
 * The rule docs/protocol.md gives clients, written from the doc alone, so server tests can check
 * that what a client is sent (live, in `joined`, in `after` pages) converges on the server's
 * state: apply an edit, delete or reaction to a chat you hold only if its seq is above the chat's
 * `rev`, then set `rev` to it; ignore it for a chat you do not hold; a chat that arrives again
 * replaces the held one only if its `rev` is higher. Events are applied in seq order.
 */
export class RoomProjection {
  private readonly held = new Map<number, ChatFrame>();
  /** The highest seq applied. Events must be applied in seq order: see `apply`. */
  upTo = 0;
  /** How often each change event's seq was applied: exactly once each, whatever the mix of sources. */
  readonly applied = new Map<number, number>();

  /** Chats as they stand here, by seq (`rev` always present, as pages carry it). */
  get chats(): ReadonlyMap<number, ChatFrame> {
    return this.held;
  }

  /**
   * Applies the next event. The rule needs them in seq order: a change applied ahead of an older
   * change to the same chat would set the chat's rev past the older one, which is then ignored.
   */
  apply(event: PageEvent): void {
    if (event.seq !== this.upTo + 1) throw new Error(`seq ${event.seq} applied after ${this.upTo}`);
    this.upTo = event.seq;
    switch (event.type) {
      case "chat": {
        const held = this.held.get(event.seq);
        const incoming = { ...event, rev: event.rev ?? event.seq };
        if (!held || incoming.rev > (held.rev ?? held.seq)) this.held.set(event.seq, incoming);
        return;
      }
      case "edit":
      case "delete":
      case "reaction": {
        const held = this.held.get(event.target);
        if (!held || event.seq <= (held.rev ?? held.seq)) return;
        this.applied.set(event.seq, (this.applied.get(event.seq) ?? 0) + 1);
        this.held.set(event.target, { ...changed(held, event), rev: event.seq });
        return;
      }
      default:
        return;
    }
  }
}

function changed(chat: ChatFrame, event: Extract<PageEvent, { type: "edit" | "delete" | "reaction" }>): ChatFrame {
  if (event.type === "edit") {
    // An edit whose text is gone was followed by a deletion, which finishes the job.
    return { ...chat, ...(event.text === undefined ? {} : { text: event.text }), edited: { ts: event.ts } };
  }
  if (event.type === "delete") {
    const { text: _text, reactions: _reactions, replyTo: _replyTo, ...rest } = chat;
    return { ...rest, deleted: { by: event.by, ts: event.ts } };
  }
  const reactions: ReactionSummary[] = (chat.reactions ?? []).map((entry) => ({ ...entry, users: [...entry.users] }));
  let entry = reactions.find((candidate) => candidate.emoji === event.emoji);
  if (event.on) {
    if (!entry) {
      entry = { emoji: event.emoji, count: 0, users: [] };
      reactions.push(entry);
    }
    entry.count++;
    if (entry.users.length < DEFAULT_LIMITS.reactionUsersListed && !entry.users.includes(event.by.id)) entry.users.push(event.by.id);
  } else if (entry) {
    entry.count--;
    entry.users = entry.users.filter((id) => id !== event.by.id);
  }
  const kept = reactions.filter((candidate) => candidate.count > 0);
  const { reactions: _old, ...rest } = chat;
  return kept.length > 0 ? { ...rest, reactions: kept } : rest;
}

/** A chat with its reply's quote reduced to the seq it points at. */
export type ComparableChat = Omit<ChatFrame, "replyTo"> & { replyTo?: { seq: number } };

/**
 * A chat as comparable between a client and the server: a reply's quote is the target's text
 * when the reply was sent (live) or when it was read (pages), and a chat's `rev` does not move
 * when its target changes, so only the quote's seq is compared.
 */
export function comparable(chat: ChatFrame): ComparableChat {
  const { replyTo, ...rest } = chat;
  return replyTo ? { ...rest, replyTo: { seq: replyTo.seq } } : rest;
}
