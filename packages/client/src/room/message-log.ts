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
 * Chats kept sorted and unique by `seq`, whatever order the welcome, history pages and the
 * live stream deliver them in, plus the local event lines placed between them.
 */
export class MessageLog {
  private chats: ChatFrame[] = [];
  private readonly seqs = new Set<number>();
  private events: EventEntry[] = [];
  private eventCounter = 0;
  /** `items()` is rebuilt only after a change, so unrelated snapshot updates reuse the same array. */
  private cachedItems: LogItem[] | null = null;

  get messages(): readonly ChatFrame[] {
    return this.chats;
  }

  get size(): number {
    return this.chats.length;
  }

  get oldestSeq(): number | undefined {
    return this.chats[0]?.seq;
  }

  get newestSeq(): number {
    return this.chats[this.chats.length - 1]?.seq ?? 0;
  }

  /** How many held messages have a seq below `seq`. */
  countBelow(seq: number): number {
    return this.insertionIndex(seq);
  }

  has(seq: number): boolean {
    return this.seqs.has(seq);
  }

  /** The message held at `seq`, if any. */
  at(seq: number): ChatFrame | undefined {
    return this.seqs.has(seq) ? this.chats[this.insertionIndex(seq)] : undefined;
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
    if (added.length > 0) this.cachedItems = null;
    return added;
  }

  /** The first seq above `from` that is missing, up to the newest held, or undefined. */
  firstGapAfter(from: number): { after: number; before: number } | undefined {
    let expected = from + 1;
    for (let i = this.insertionIndex(expected); i < this.chats.length; i++) {
      const seq = (this.chats[i] as ChatFrame).seq;
      if (seq > expected) return { after: expected - 1, before: seq };
      expected = seq + 1;
    }
    return undefined;
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
    this.dropEventsBefore(this.oldestSeq ?? 0);
    this.cachedItems = null;
    return removed.length;
  }

  /** Drops messages below `seq` (events placed among them go too), e.g. below a gap that cannot be filled. */
  dropBelow(seq: number): void {
    const keepFrom = this.insertionIndex(seq);
    if (keepFrom === 0) return;
    for (const message of this.chats.splice(0, keepFrom)) this.seqs.delete(message.seq);
    this.dropEventsBefore(seq);
    this.cachedItems = null;
  }

  clear(): void {
    this.chats = [];
    this.seqs.clear();
    this.events = [];
    this.cachedItems = null;
  }

  /** Drops everything up to and including `seq`, for the Clear button. */
  clearThrough(seq: number): void {
    this.chats = this.chats.filter((message) => message.seq > seq);
    this.seqs.clear();
    for (const message of this.chats) this.seqs.add(message.seq);
    this.events = [];
    this.cachedItems = null;
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
