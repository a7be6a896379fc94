import type { ChatFrame, User } from "@chatroom/protocol";

export type LogEvent =
  | { kind: "joined"; user: User }
  | { kind: "left"; user: User }
  | { kind: "renamed"; user: User; previousName: string }
  | { kind: "notice"; text: string }
  | { kind: "connected" }
  | { kind: "disconnected" };

export interface EventEntry {
  key: string;
  ts: number;
  /** The highest seq held when the event arrived: it is shown right after that message. */
  afterSeq: number;
  event: LogEvent;
}

export type LogItem = { type: "chat"; key: string; message: ChatFrame } | { type: "event"; key: string; entry: EventEntry };

/**
 * Chats kept sorted and unique by `seq`, whatever order `joined`, history pages and the live
 * stream deliver them in, plus the local event lines placed between them. A room event of a kind
 * this client does not know still takes its `seq`: it is held as a *silent* seq, which exists (no
 * gap, the resume point passes it) but shows nothing.
 */
export class MessageLog {
  private chats: ChatFrame[] = [];
  /** Every seq held, chats and silent ones alike. */
  private readonly seqs = new Set<number>();
  /** Seqs of events that show nothing, ascending. */
  private silent: number[] = [];
  /** Grows on every change of the held seqs, so derived counts (unread) can be cached against it. */
  private revision = 0;
  private events: EventEntry[] = [];
  private eventCounter = 0;
  /** `items()` is rebuilt only after a change, so unrelated snapshot updates reuse the same array. */
  private cachedItems: LogItem[] | null = null;

  get messages(): readonly ChatFrame[] {
    return this.chats;
  }

  /** The silent seqs held (events this client cannot show), ascending. */
  get silentSeqs(): readonly number[] {
    return this.silent;
  }

  get version(): number {
    return this.revision;
  }

  get size(): number {
    return this.chats.length;
  }

  /** The lowest seq held, chat or silent. */
  get oldestSeq(): number | undefined {
    const chat = this.chats[0]?.seq;
    const silent = this.silent[0];
    if (chat === undefined) return silent;
    return silent === undefined ? chat : Math.min(chat, silent);
  }

  /** The highest seq held, chat or silent (0 when empty). */
  get newestSeq(): number {
    return Math.max(this.chats[this.chats.length - 1]?.seq ?? 0, this.silent[this.silent.length - 1] ?? 0);
  }

  /** How many held messages have a seq below `seq`. */
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
    return this.seqs.has(seq);
  }

  /** The message held at `seq`, if any. */
  at(seq: number): ChatFrame | undefined {
    const message = this.seqs.has(seq) ? this.chats[this.insertionIndex(seq)] : undefined;
    // A silent seq is held but is no chat.
    return message?.seq === seq ? message : undefined;
  }

  /** Adds messages it does not hold yet; returns the ones that were new. */
  merge(messages: readonly ChatFrame[]): ChatFrame[] {
    const added: ChatFrame[] = [];
    for (const message of messages) {
      if (this.seqs.has(message.seq)) continue;
      this.seqs.add(message.seq);
      added.push(message);
      const last = this.chats[this.chats.length - 1];
      if (!last || last.seq < message.seq) this.chats.push(message);
      else this.chats.splice(this.insertionIndex(message.seq), 0, message);
    }
    if (added.length > 0) {
      this.cachedItems = null;
      this.revision++;
    }
    return added;
  }

  /** Holds `seq` as an event that shows nothing. Returns whether it was new. */
  markSilent(seq: number): boolean {
    if (this.seqs.has(seq)) return false;
    this.seqs.add(seq);
    const last = this.silent[this.silent.length - 1];
    if (last === undefined || last < seq) this.silent.push(seq);
    else this.silent.splice(lowerBound(this.silent, seq), 0, seq);
    this.revision++;
    return true;
  }

  /** The first seq above `from` that is missing, up to the newest held, or undefined. */
  firstGapAfter(from: number): { after: number; before: number } | undefined {
    let expected = from + 1;
    let c = this.insertionIndex(expected);
    let s = lowerBound(this.silent, expected);
    // Walk chats and silent seqs together, in seq order.
    for (;;) {
      const chat = (this.chats[c] as ChatFrame | undefined)?.seq;
      const silent = this.silent[s];
      if (chat === undefined && silent === undefined) return undefined;
      let seq: number;
      if (silent === undefined || (chat !== undefined && chat < silent)) {
        seq = chat as number;
        c++;
      } else {
        seq = silent;
        s++;
      }
      if (seq > expected) return { after: expected - 1, before: seq };
      expected = seq + 1;
    }
  }

  addEvent(event: LogEvent, ts: number): void {
    this.events.push({ key: `e${++this.eventCounter}-${ts}`, ts, afterSeq: this.newestSeq, event });
    if (this.events.length > 500) this.events.splice(0, this.events.length - 500);
    this.cachedItems = null;
  }

  /** Keeps the newest `max` messages, so a long session's memory stays bounded. Returns how many went. */
  trim(max: number): number {
    if (this.chats.length <= max) return 0;
    const removed = this.chats.splice(0, this.chats.length - max);
    for (const message of removed) this.seqs.delete(message.seq);
    this.dropSilentBelow(this.chats[0]?.seq ?? Number.POSITIVE_INFINITY);
    this.dropEventsBefore(this.oldestSeq ?? 0);
    this.cachedItems = null;
    this.revision++;
    return removed.length;
  }

  /** Drops messages below `seq` (events placed among them go too), e.g. below a gap that cannot be filled. */
  dropBelow(seq: number): void {
    const keepFrom = this.insertionIndex(seq);
    const silentBefore = this.silent.length;
    this.dropSilentBelow(seq);
    if (keepFrom === 0 && this.silent.length === silentBefore) return;
    for (const message of this.chats.splice(0, keepFrom)) this.seqs.delete(message.seq);
    this.dropEventsBefore(seq);
    this.cachedItems = null;
    this.revision++;
  }

  clear(): void {
    this.chats = [];
    this.silent = [];
    this.seqs.clear();
    this.events = [];
    this.cachedItems = null;
    this.revision++;
  }

  /** Drops everything up to and including `seq`, for the Clear button. */
  clearThrough(seq: number): void {
    this.chats = this.chats.filter((message) => message.seq > seq);
    this.silent = this.silent.filter((silent) => silent > seq);
    this.seqs.clear();
    for (const message of this.chats) this.seqs.add(message.seq);
    for (const silent of this.silent) this.seqs.add(silent);
    this.events = [];
    this.cachedItems = null;
    this.revision++;
  }

  private dropSilentBelow(seq: number): void {
    const keepFrom = lowerBound(this.silent, seq);
    for (const silent of this.silent.splice(0, keepFrom)) this.seqs.delete(silent);
  }

  items(): LogItem[] {
    this.cachedItems ??= this.buildItems();
    return this.cachedItems;
  }

  private dropEventsBefore(seq: number): void {
    // An event placed after seq-1 sits right above `seq`, so it still belongs with what is kept.
    this.events = this.events.filter((entry) => entry.afterSeq >= seq - 1);
  }

  private buildItems(): LogItem[] {
    const items: LogItem[] = [];
    let e = 0;
    const events = this.events;
    for (const message of this.chats) {
      while (e < events.length && (events[e] as EventEntry).afterSeq < message.seq) {
        const entry = events[e++] as EventEntry;
        items.push({ type: "event", key: entry.key, entry });
      }
      items.push({ type: "chat", key: `m${message.seq}`, message });
    }
    while (e < events.length) {
      const entry = events[e++] as EventEntry;
      items.push({ type: "event", key: entry.key, entry });
    }
    return items;
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

/** The first index of a sorted array whose value is not below `value`. */
function lowerBound(sorted: readonly number[], value: number): number {
  let low = 0;
  let high = sorted.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if ((sorted[mid] as number) < value) low = mid + 1;
    else high = mid;
  }
  return low;
}
