import type { ChatFrame, HistoryFrame, JoinedFrame, ModerationEvent, PageEvent, RoomEvent } from "@chatroom/protocol";
import type { MessageLog } from "./message-log";
import type { SeqRange } from "./seq-coverage";

/** What taking events in did to the log. */
export interface Taken {
  /** Chats held for the first time, in the order they came. */
  fresh: ChatFrame[];
  /** Every event of a known kind taken in, chats included: the room finds its own echoes among them. */
  events: RoomEvent[];
}

export function nothingTaken(): Taken {
  return { fresh: [], events: [] };
}

/**
 * How events from every source reach the log. Each source goes through the same two steps: its
 * events are applied (chat-reducer.ts decides what changes), and the seq ranges it reflects are
 * covered:
 * - a fresh `joined` (the newest chats as they stand) covers its first chat (or 1, when complete)
 *   up to `latestSeq`;
 * - a `before: B` page (chats as they stand) covers its first chat (or 1, when nothing is older)
 *   up to B-1;
 * - live events and `after` pages cover their own seqs; a resuming `joined` too, and all of
 *   `since+1..latestSeq` when complete.
 * Nothing at or below what the user cleared is taken or covered again. Which request to send next
 * and what lies above the oldest message are history-sync.ts's; what landing means for the outbox
 * and typing is log-intake.ts's.
 */
export class HistoryIntake {
  private cleared = 0;
  private serverLatestSeq = 0;
  /** Where `take` gathers a window page's events (see `windowPage`). */
  private gathering: Taken | null = null;

  constructor(private readonly log: MessageLog) {}

  /** Everything up to this seq was hidden by Clear. */
  get clearedThroughSeq(): number {
    return this.cleared;
  }

  /** The highest seq the server is known to have in this room. */
  get latestSeq(): number {
    return this.serverLatestSeq;
  }

  /** The server says the room has reached `latestSeq` (a membership listed by `ready`). */
  heardOf(latestSeq: number): void {
    this.serverLatestSeq = Math.max(this.serverLatestSeq, latestSeq);
  }

  /** What a reload brought back: chats as they stood, the moderation lines among them, and the ranges they reflect. */
  restore(
    messages: readonly ChatFrame[],
    coverage: readonly SeqRange[],
    clearedThroughSeq: number,
    moderation: readonly ModerationEvent[],
  ): void {
    const { log } = this;
    this.cleared = clearedThroughSeq;
    // Saved replies' quotes took in every event up to the saved coverage's top.
    const savedTop = coverage[coverage.length - 1]?.[1];
    log.merge(
      messages.filter((message) => message.seq > clearedThroughSeq),
      savedTop,
    );
    for (const [from, to] of coverage) log.cover(from, to);
    for (const event of moderation) if (event.seq > clearedThroughSeq && log.covers(event.seq)) log.receiveModeration(event);
    if (clearedThroughSeq > 0) log.clearThrough(clearedThroughSeq);
    this.serverLatestSeq = log.newestSeq;
  }

  /** A live event: applied, and its seq covered. */
  live(event: PageEvent): Taken {
    return this.take([event], true);
  }

  /** A `joined` for an attempt that asked for `since` (undefined: a fresh join). */
  joined(frame: JoinedFrame, since: number | undefined): Taken {
    this.serverLatestSeq = frame.latestSeq;
    if (since === undefined) {
      // The newest chats as they stand: they reflect every event up to latestSeq.
      const taken = this.take(frame.messages, false, frame.latestSeq);
      const from = frame.complete ? 1 : frame.messages[0]?.seq;
      if (from !== undefined) this.cover(from, frame.latestSeq);
      return taken;
    }
    // Every event after `since`, newest last; all of them when complete.
    const taken = this.take(frame.messages, true, frame.latestSeq);
    if (frame.complete) this.cover(since + 1, frame.latestSeq);
    return taken;
  }

  /**
   * An `after` page filling the gap `after+1..before-1`: every event of the stretch, oldest first.
   * `joinedUp` is false when the server no longer has the start of the stretch (trimmed or
   * reset): what lay below the first event it still has could not be joined up, and was dropped.
   */
  afterPage(frame: HistoryFrame, request: { after: number; before: number; at: number }): { taken: Taken; joinedUp: boolean } {
    const taken = this.take(frame.messages, true, request.at);
    const first = frame.messages[0]?.seq;
    if (first !== undefined && first <= request.after + 1) return { taken, joinedUp: true };
    this.log.dropBelow(first ?? request.before);
    return { taken, joinedUp: false };
  }

  /** A `before` page: the chats below `before`, as they stand when the newest seq held was `at`. */
  beforePage(frame: HistoryFrame, { before, at }: { before: number; at: number }): Taken {
    const taken = this.take(frame.messages, false, at);
    // Nothing older: everything below `before` is reflected. Else from the page's first chat up.
    const from = frame.hasOlder === false ? 1 : frame.messages[0]?.seq;
    if (from !== undefined) this.cover(from, before - 1);
    return taken;
  }

  /**
   * A page of a link's window, which the window applies itself (`apply`, calling back `take` and
   * `cover`): what those takes bring is gathered into one `Taken` for the caller.
   */
  windowPage<T>(apply: () => T): { taken: Taken; value: T } {
    const taken = nothingTaken();
    this.gathering = taken;
    let value: T;
    try {
      value = apply();
    } finally {
      this.gathering = null;
    }
    // The window drops what it replaces; what Clear hid stays covered, as `clearThrough` left it.
    if (this.cleared > 0) this.log.cover(1, this.cleared);
    return { taken, value };
  }

  /**
   * Applies events from any source, by the rules of chat-reducer.ts, skipping what the user
   * cleared; `coverEach` covers the seq of each one (pages that hold every event of their stretch).
   * `quotedAt`: what the page's reply quotes are as of (absent: live, each chat's own seq).
   */
  take(events: readonly PageEvent[], coverEach: boolean, quotedAt?: number): Taken {
    const { log } = this;
    const taken: Taken = this.gathering ?? nothingTaken();
    for (const event of events) {
      if (event.seq <= this.cleared) continue;
      this.serverLatestSeq = Math.max(this.serverLatestSeq, event.seq);
      if (event.type === "unknown-event") {
        if (coverEach) log.cover(event.seq, event.seq);
        continue;
      }
      taken.events.push(event);
      if (event.type === "moderation") {
        // A line of the log that covers its own seq; the room's access state reads it from `events`.
        log.receiveModeration(event);
        continue;
      }
      if (event.type !== "chat") {
        // A change always covers its own seq: it is in hand, whatever the page.
        log.receive(event);
        continue;
      }
      taken.fresh.push(...log.merge([event], quotedAt).added);
      if (coverEach) log.cover(event.seq, event.seq);
    }
    return taken;
  }

  /** Covers `from..to`, above what the user cleared. */
  cover(from: number, to: number): void {
    this.log.cover(Math.max(from, this.cleared + 1), to);
  }

  /** Hides everything received so far, like the seed's Clear button. Local only. */
  clear(): void {
    this.cleared = Math.max(this.cleared, this.log.newestSeq);
    this.log.clearThrough(this.cleared);
  }

  /** After a store reset nothing we hold matches the server's seqs. */
  storeReset(): void {
    this.log.clear();
    this.cleared = 0;
  }
}
