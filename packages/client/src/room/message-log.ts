import type { ChangeEvent, ChatFrame, ModerationEvent } from "@chatroom/protocol";
import { applyRoomEvent, isNewerChat } from "./chat-reducer";
import { type LogEvent, type LogItem, LogLines } from "./log-lines";
import { ReplyQuotes } from "./reply-quotes";
import { SeqCoverage, type SeqRange } from "./seq-coverage";

export type { EventEntry, LogEvent, LogItem } from "./log-lines";

/** What merging chats did: the seqs held for the first time, and chats replaced by a newer state. */
export interface MergeResult {
  added: ChatFrame[];
  replaced: ChatFrame[];
}

/**
 * The room as this tab holds it: chats as they stand, sorted and unique by `seq` whatever order
 * they arrive in, the seq ranges whose events they reflect (`coverage`), and the local event lines
 * placed between them (log-lines.ts). Edits, deletes and reactions change the chats they target
 * (by the rules in chat-reducer.ts, in each chat's seq order) and show nothing themselves; their
 * seqs count only through coverage, which is also how a room event of a kind this client does not
 * know advances the room's position.
 *
 * Replies quote their targets as a page read now would (see reply-quotes.ts).
 *
 * The log applies what it is given; which ranges a source covers is the history sync's call.
 */
export class MessageLog {
  private chats: ChatFrame[] = [];
  /** Moderation events held, sorted and unique by seq: shown as lines among the chats. */
  private moderation: ModerationEvent[] = [];
  private readonly covered = new SeqCoverage();
  private readonly quotes = new ReplyQuotes();
  /** Change events above a gap that separates them from their target, by seq (see `receive`). */
  private waiting: ChangeEvent[] = [];
  /** Per target seq, the seqs of held replies to it, so an edit of the target re-quotes them. */
  private repliesTo = new Map<number, Set<number>>();
  /** Grows on every change of the chats or the coverage, so derived counts (unread) can be cached against it. */
  private revision = 0;
  private readonly lines = new LogLines();
  /** `items()` is rebuilt only after a change, so unrelated snapshot updates reuse the same array. */
  private cachedItems: LogItem[] | null = null;
  /** `itemsThrough`'s rows, for the seq they were built at; dropped with `cachedItems`. */
  private cachedWindow: { seq: number; items: LogItem[] } | null = null;

  get messages(): readonly ChatFrame[] {
    return this.chats;
  }

  /** The moderation events held, lowest seq first. */
  get moderationEvents(): readonly ModerationEvent[] {
    return this.moderation;
  }

  /** The covered seq ranges, lowest first. */
  get coverage(): readonly SeqRange[] {
    return this.covered.list;
  }

  get version(): number {
    return this.revision;
  }

  get size(): number {
    return this.chats.length;
  }

  /** The lowest covered seq: pages of older chats are asked for below it. */
  get oldestSeq(): number | undefined {
    return this.covered.lowest;
  }

  /** The highest seq covered or held (0 when empty). */
  get newestSeq(): number {
    return Math.max(this.chats[this.chats.length - 1]?.seq ?? 0, this.covered.highest);
  }

  /** Every seq from the lowest covered up to here is covered: the resume point. */
  get contiguousTop(): number | undefined {
    return this.covered.contiguousTop;
  }

  /** The first uncovered stretch above the lowest covered seq. */
  firstGap(): { after: number; before: number } | undefined {
    return this.covered.firstGap();
  }

  /** Whether the event at `seq` is reflected here (e.g. an acked change has been applied). */
  covers(seq: number): boolean {
    return this.covered.has(seq);
  }

  /** Whether every seq in `from..to` is covered, with no gap. */
  coversAll(from: number, to: number): boolean {
    return to < from || this.covered.sameRange(from, to);
  }

  /**
   * Whether the log is past the event at `seq`: it covers it, or it lies below everything the log
   * covers (whatever it changed shows in any older chat loaded later, as it stands).
   */
  isPast(seq: number): boolean {
    const lowest = this.covered.lowest;
    return lowest !== undefined && (seq < lowest || this.covered.has(seq));
  }

  /** How many held chats have a seq below `seq`. */
  countBelow(seq: number): number {
    return this.insertionIndex(seq);
  }

  /** Chats held with `above < seq <= upTo` that match `include`. */
  countChats(above: number, upTo: number, include: (message: ChatFrame) => boolean): number {
    let count = 0;
    for (let i = this.insertionIndex(above + 1); i < this.chats.length; i++) {
      const message = this.chats[i] as ChatFrame;
      if (message.seq > upTo) break;
      if (include(message)) count++;
    }
    return count;
  }

  has(seq: number): boolean {
    return this.at(seq) !== undefined;
  }

  /** The chat held at `seq`, if any. */
  at(seq: number): ChatFrame | undefined {
    const message = this.chats[this.insertionIndex(seq)];
    return message?.seq === seq ? message : undefined;
  }

  /** The newest chat held at or below `seq`. */
  chatAtOrBelow(seq: number): ChatFrame | undefined {
    return this.chats[this.insertionIndex(seq + 1) - 1];
  }

  /**
   * Adds chats it does not hold yet and replaces held ones that arrive with a greater `rev`.
   * `quotedAt`: a seq the server had surely reached when it built them, which their reply quotes
   * are as of (pages); absent, each chat's own seq (live).
   */
  merge(messages: readonly ChatFrame[], quotedAt?: number): MergeResult {
    const added: ChatFrame[] = [];
    const replaced: ChatFrame[] = [];
    for (const incoming of messages) {
      const last = this.chats[this.chats.length - 1];
      const index = !last || last.seq < incoming.seq ? this.chats.length : this.insertionIndex(incoming.seq);
      const held = this.chats[index];
      if (held?.seq === incoming.seq && !isNewerChat(held, incoming)) continue;
      const replacing = held?.seq === incoming.seq ? held : undefined;
      const message = this.quotes.arrived(incoming, quotedAt ?? incoming.seq, replacing);
      if (replacing) {
        this.chats[index] = message;
        replaced.push(message);
      } else {
        this.chats.splice(index, 0, message);
        added.push(message);
      }
      this.indexReply(message);
    }
    if (added.length > 0 || replaced.length > 0) this.touched();
    return { added, replaced };
  }

  /**
   * An edit, delete or reaction that covers its own seq (live, an `after` page, a resume). It
   * changes the chat it targets if held, by the rev rule, but only once no gap lies between the
   * two: events in such a gap may change the chat too, and the rev rule needs a chat's events in
   * order. Until the gap is filled (or dropped with what lies below it) the event waits.
   */
  receive(event: ChangeEvent): void {
    const grew = this.covered.add(event.seq, event.seq);
    if (grew) this.revision++;
    // Replies re-quote the target even when it is not held: the event says what it is now.
    if (this.quotes.noteEvent(event) && this.requoteRepliesTo(event.target)) this.touched();
    if (this.at(event.target)) {
      if (this.covered.sameRange(event.target, event.seq)) this.apply(event);
      else this.waiting.splice(lowerBoundBySeq(this.waiting, event.seq), 0, event);
    }
    // Only then what waited above it: its seq may have closed their gap, and they come after it.
    if (grew && this.waiting.length > 0) this.applyWaiting();
  }

  /**
   * A moderation event: it covers its own seq (it is in hand, whatever the page) and is held as a
   * line of the log. Returns whether it was new here.
   */
  receiveModeration(event: ModerationEvent): boolean {
    this.cover(event.seq, event.seq);
    const index = lowerBoundBySeq(this.moderation, event.seq);
    if (this.moderation[index]?.seq === event.seq) return false;
    this.moderation.splice(index, 0, event);
    this.touched();
    return true;
  }

  /** Covers `from..to`. Returns whether anything new was covered. */
  cover(from: number, to: number): boolean {
    if (!this.covered.add(from, to)) return false;
    this.revision++;
    // A gap may have closed under events that waited for it.
    if (this.waiting.length > 0) this.applyWaiting();
    return true;
  }

  addEvent(event: LogEvent, ts: number): void {
    this.lines.add(event, ts, this.newestSeq);
    this.cachedItems = null;
    this.cachedWindow = null;
  }

  /**
   * Keeps the newest `max` chats, so a long session's memory stays bounded; what is covered
   * below the oldest kept chat goes with them. Returns how many chats went.
   */
  trim(max: number): number {
    if (this.chats.length <= max) return 0;
    const removed = this.chats.length - max;
    this.dropBelow((this.chats[removed] as ChatFrame).seq);
    return removed;
  }

  /** Drops chats and coverage below `seq` (event lines placed among them go too), e.g. below a gap that cannot be filled. */
  dropBelow(seq: number): void {
    const keepFrom = this.insertionIndex(seq);
    const lowest = this.covered.lowest;
    if (keepFrom === 0 && (lowest === undefined || lowest >= seq)) return;
    this.chats.splice(0, keepFrom);
    this.moderation = this.moderation.filter((event) => event.seq >= seq);
    this.covered.dropBelow(seq);
    this.quotes.forgetBelow(seq);
    this.reindexReplies();
    // What waited for a gap below `seq` waits no more: the chats it could have missed are gone.
    this.applyWaiting();
    this.lines.dropBefore(seq);
    this.touched();
  }

  /**
   * Drops chats and coverage in `from..to`, keeping what lies on both sides: the live end's oldest
   * chats while the reader holds a window further back (history-window.ts).
   */
  dropBetween(from: number, to: number): void {
    if (to < from) return;
    const start = this.insertionIndex(from);
    const end = this.insertionIndex(to + 1);
    for (const message of this.chats.slice(start, end)) this.quotes.forget(message.seq);
    this.chats.splice(start, end - start);
    this.moderation = this.moderation.filter((event) => event.seq < from || event.seq > to);
    this.covered.remove(from, to);
    this.reindexReplies();
    this.applyWaiting();
    this.lines.dropBetween(from, to);
    this.touched();
  }

  clear(): void {
    this.chats = [];
    this.moderation = [];
    this.covered.clear();
    this.quotes.clear();
    this.repliesTo.clear();
    this.waiting = [];
    this.lines.clear();
    this.touched();
  }

  /**
   * Drops every chat up to and including `seq`, for the Clear button. Everything up to it counts
   * as covered from then on: nothing there is to be shown or asked for again.
   */
  clearThrough(seq: number): void {
    this.chats = this.chats.filter((message) => message.seq > seq);
    this.moderation = this.moderation.filter((event) => event.seq > seq);
    this.covered.add(1, seq);
    this.quotes.forgetBelow(seq + 1);
    this.reindexReplies();
    this.applyWaiting();
    this.lines.clear();
    this.touched();
  }

  items(): LogItem[] {
    this.cachedItems ??= this.lines.interleave(this.chats, this.moderation);
    return this.cachedItems;
  }

  /** The rows up to and including `seq`: what a window detached from the live end shows. */
  itemsThrough(seq: number): LogItem[] {
    if (this.cachedWindow?.seq !== seq) {
      const chats = this.chats.slice(0, this.insertionIndex(seq + 1));
      const moderation = this.moderation.filter((event) => event.seq <= seq);
      this.cachedWindow = { seq, items: this.lines.interleave(chats, moderation, seq + 1) };
    }
    return this.cachedWindow.items;
  }

  /** The rev rule, on a held chat with no gap below the event. */
  private apply(event: ChangeEvent): void {
    const index = this.insertionIndex(event.target);
    const held = this.chats[index];
    if (held?.seq !== event.target) return;
    const next = applyRoomEvent(held, event);
    if (next === held) return;
    this.chats[index] = next;
    this.touched();
  }

  /** Applies the waiting events no gap separates from their target any more, in seq order; drops those whose target went. */
  private applyWaiting(): void {
    const still: ChangeEvent[] = [];
    for (const event of this.waiting) {
      if (!this.at(event.target)) continue;
      if (this.covered.sameRange(event.target, event.seq)) this.apply(event);
      else still.push(event);
    }
    this.waiting = still;
  }

  /** Brings the held replies to `target` up to the news of it. Returns whether any changed. */
  private requoteRepliesTo(target: number): boolean {
    let changed = false;
    for (const seq of this.repliesTo.get(target) ?? []) {
      const index = this.insertionIndex(seq);
      const reply = this.chats[index];
      if (reply?.seq !== seq) continue;
      const requoted = this.quotes.requote(reply);
      if (requoted === reply) continue;
      this.chats[index] = requoted;
      changed = true;
    }
    return changed;
  }

  private indexReply(message: ChatFrame): void {
    const target = message.replyTo?.seq;
    if (target === undefined) return;
    let replies = this.repliesTo.get(target);
    if (!replies) {
      replies = new Set();
      this.repliesTo.set(target, replies);
    }
    replies.add(message.seq);
  }

  private reindexReplies(): void {
    this.repliesTo.clear();
    for (const message of this.chats) this.indexReply(message);
  }

  private touched(): void {
    this.cachedItems = null;
    this.cachedWindow = null;
    this.revision++;
  }

  /** Where `seq` is or would go among the chats. */
  private insertionIndex(seq: number): number {
    let low = 0;
    let high = this.chats.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((this.chats[mid] as ChatFrame).seq < seq) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}

function lowerBoundBySeq(events: readonly { seq: number }[], seq: number): number {
  let low = 0;
  let high = events.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((events[mid] as { seq: number }).seq < seq) low = mid + 1;
    else high = mid;
  }
  return low;
}
