import { type ChangeEvent, type ChatFrame, DEFAULT_LIMITS } from "@chatroom/protocol";

/** What the newest edit or delete seen of one target says a quote of it is now. */
type TargetNews = { rev: number; text: string } | { rev: number; deleted: true };

/**
 * Replies' quotes, kept as a page read now would show them. The server computes a quote from its
 * target's state when it sends the reply (live: at append; pages: at read) and never revises it:
 * an edit or a delete of the target moves the target's `rev`, not the reply's. So each reply held
 * here remembers the seq its quote is as of (`quotedAt`), each target the newest edit or delete
 * seen of it, and a reply takes that news when it is newer than its quote. Every event above a
 * reply's `quotedAt` reaches the log sooner or later (live, a resume, an `after` page), so the
 * quote ends where the server's stands, whether or not the target itself is held.
 */
export class ReplyQuotes {
  private readonly news = new Map<number, TargetNews>();
  private readonly quotedAt = new Map<number, number>();

  /** An edit or delete was taken in. Returns whether it is news for its target's replies. */
  noteEvent(event: ChangeEvent): boolean {
    if (event.type === "reaction") return false;
    const known = this.news.get(event.target);
    if (known && known.rev >= event.seq) return false;
    // An edit read after its target was deleted carries no text: gone is what a quote says now.
    if (event.type === "delete" || event.text === undefined) this.news.set(event.target, { rev: event.seq, deleted: true });
    else this.news.set(event.target, { rev: event.seq, text: firstCodePoints(event.text) });
    return true;
  }

  /**
   * A reply is stored at its seq, its quote as of `at` (the seq the server had surely reached when
   * it built it). If `held` (the reply it replaces) was quoted as of later, its quote stays.
   */
  arrived(reply: ChatFrame, at: number, held: ChatFrame | undefined): ChatFrame {
    if (!reply.replyTo) {
      this.quotedAt.delete(reply.seq);
      return reply;
    }
    const heldAt = this.quotedAt.get(reply.seq);
    if (held?.replyTo && heldAt !== undefined && heldAt > at) return this.requote({ ...reply, replyTo: held.replyTo });
    this.quotedAt.set(reply.seq, at);
    return this.requote(reply);
  }

  /** `reply` with the news of its target, if newer than its quote; the same object otherwise. */
  requote(reply: ChatFrame): ChatFrame {
    const current = reply.replyTo;
    if (!current) return reply;
    const known = this.news.get(current.seq);
    const at = this.quotedAt.get(reply.seq) ?? reply.seq;
    if (!known || known.rev <= at) return reply;
    this.quotedAt.set(reply.seq, known.rev);
    if ("deleted" in known) return "deleted" in current ? reply : { ...reply, replyTo: { seq: current.seq, deleted: true } };
    // The quote names the target's author as it was posted: an edit changes only the text.
    if ("deleted" in current || current.text === known.text) return reply;
    return { ...reply, replyTo: { seq: current.seq, from: current.from, text: known.text } };
  }

  /** The reply at `seq` is no longer held. */
  forget(seq: number): void {
    this.quotedAt.delete(seq);
  }

  /** Forgets news below `seq`: no reply kept or to come is quoted from before it. */
  forgetBelow(seq: number): void {
    for (const [target, known] of this.news) if (known.rev < seq) this.news.delete(target);
    for (const reply of this.quotedAt.keys()) if (reply < seq) this.quotedAt.delete(reply);
  }

  clear(): void {
    this.news.clear();
    this.quotedAt.clear();
  }
}

function firstCodePoints(text: string, length: number = DEFAULT_LIMITS.replyQuoteLength): string {
  // Short texts, the usual case, need no split into code points.
  if (text.length <= length) return text;
  return Array.from(text).slice(0, length).join("");
}
