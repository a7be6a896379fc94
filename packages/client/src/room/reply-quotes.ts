import { type ChangeEvent, type ChatFrame, DEFAULT_LIMITS, type ReplyQuote } from "@chatroom/protocol";

/** A reply's quote of `target` as the server computes it: the first code points of its current text, or that it is gone. */
export function quoteOf(target: ChatFrame, length: number = DEFAULT_LIMITS.replyQuoteLength): ReplyQuote {
  if (target.deleted || target.text === undefined) return { seq: target.seq, deleted: true };
  return { seq: target.seq, from: target.from, text: firstCodePoints(target.text, length) };
}

/**
 * What replies should quote, for targets this tab does not hold. The server computes a quote from
 * its target's current state when it sends the reply (live: at append; pages: at read), and never
 * revises it afterwards: an edit or a delete of the target changes the target's `rev`, not the
 * reply's. So a reply held here is re-quoted from its target when the target is held, and
 * otherwise from the newest edit or delete of the target seen here. A delete is final, and
 * deleted means gone: the quote says so and keeps no text.
 *
 * Only events at or above the lowest covered seq are remembered (`forgetBelow`): older ones may
 * come back reflected in a page's quote rather than as events, and must not override it.
 */
export class ReplyQuotes {
  /** Per target seq, the newest edit's text (and its seq) or that it was deleted. */
  private readonly seen = new Map<number, { rev: number; text: string } | { deleted: true }>();

  /** An edit or delete was taken in. Returns whether what replies to its target should quote changed. */
  noteEvent(event: ChangeEvent): boolean {
    if (event.type === "reaction") return false;
    const known = this.seen.get(event.target);
    if (known && "deleted" in known) return false;
    if (event.type === "delete") {
      this.seen.set(event.target, { deleted: true });
      return true;
    }
    // An edit read after its target was deleted carries no text: the delete that follows says it all.
    if (event.text === undefined || (known && known.rev >= event.seq)) return false;
    this.seen.set(event.target, { rev: event.seq, text: firstCodePoints(event.text) });
    return true;
  }

  /**
   * `reply` quoting its target as it stands: from the target when held, else from the target's
   * events seen, else as it came. The same object when nothing changes, or when it is no reply.
   */
  requote(reply: ChatFrame, target: ChatFrame | undefined): ChatFrame {
    const current = reply.replyTo;
    if (!current) return reply;
    let quote: ReplyQuote = current;
    const known = this.seen.get(current.seq);
    if (target) quote = quoteOf(target);
    else if (known && "deleted" in known) quote = { seq: current.seq, deleted: true };
    // The quote names the target's author as it was posted: an edit changes only the text.
    else if (known && "from" in current) quote = { seq: current.seq, from: current.from, text: known.text };
    return sameQuote(current, quote) ? reply : { ...reply, replyTo: quote };
  }

  /** Forgets edits below `seq` (a delete is forever). */
  forgetBelow(seq: number): void {
    for (const [target, known] of this.seen) if ("rev" in known && known.rev < seq) this.seen.delete(target);
  }

  clear(): void {
    this.seen.clear();
  }
}

function firstCodePoints(text: string, length: number = DEFAULT_LIMITS.replyQuoteLength): string {
  // Short texts, the usual case, need no split into code points.
  if (text.length <= length) return text;
  return Array.from(text).slice(0, length).join("");
}

function sameQuote(a: ReplyQuote, b: ReplyQuote): boolean {
  if ("deleted" in a || "deleted" in b) return "deleted" in a && "deleted" in b;
  return a.text === b.text && a.from.id === b.from.id && a.from.name === b.from.name;
}
