import type { HistoryFrame, PageEvent } from "@chatroom/protocol";
import type { MessageLog } from "./message-log";
import type { RoomFrame } from "./room-link";

/** The message a link (or a search result) asked to see. */
export interface MessageFocus {
  seq: number;
  /** The page around it is still on its way. */
  loading: boolean;
}

/** The window's own history requests: a link's page (`around`), and the next page below the window (`after`). */
export type WindowRequest = { kind: "around"; around: number; at: number } | { kind: "newer"; after: number; at: number };

type HistoryAsk = Extract<RoomFrame, { type: "history" }>;

export interface HistoryWindowOptions {
  log: MessageLog;
  /** How many chats a link's `around` page asks for. */
  aroundPage: number;
  /** How many events each forward page asks for. */
  newerPage: number;
  /** At most this many chats in the window, and as many again at the live end while the window is apart from it. */
  maxMessages: number;
  /** History sync's one intake: applies a page's events by the log's rules (`coverEach`: a page of every event). */
  take: (events: readonly PageEvent[], coverEach: boolean, quotedAt: number) => void;
  /** Covers `from..to`, above what the user cleared. */
  cover: (from: number, to: number) => void;
}

/** What a window page did to the top of the log, for the history edge. */
export type WindowTop = "start" | "more" | "unavailable" | "same";

/**
 * A window onto the room's history apart from the live end: what opening a link to a message far
 * back gives. The window is the lowest covered range of the log; the live stream keeps arriving
 * into the ranges above it. The gap between is NOT filled by itself (it may be 100,000 messages):
 * it is read forward with `after` pages as the reader scrolls down (`loadNewer`), each page every
 * event of its stretch, until the window's range meets the live end's and the log is one piece
 * again (an `after` page with `hasNewer: false` always meets it: it holds everything this
 * connection was sent). Nothing is skipped or shown twice: seqs are covered exactly as with any
 * other page, and the page shows only the window (`top`) until it meets the live end.
 * "Jump to present" (`leave`) drops the window instead.
 */
export class HistoryWindow {
  /** A link's seq, asked for with `around` once the room is joined and nothing else is in flight. */
  private pendingAround: number | null = null;
  private current: MessageFocus | null = null;
  private epochs = 0;
  private apart = false;
  private newerWanted = false;

  constructor(private readonly options: HistoryWindowOptions) {}

  get focus(): MessageFocus | null {
    return this.current;
  }

  /** Grows with every link opened and every jump to the present: the page starts a fresh list for each. */
  get epoch(): number {
    return this.epochs;
  }

  /** The reader holds a window apart from the live end. */
  get detached(): boolean {
    return this.apart && this.options.log.firstGap() !== undefined;
  }

  /** The page below the window is wanted or on its way. */
  get loadingNewer(): boolean {
    return this.detached && this.newerWanted;
  }

  /** The highest seq the window shows, while it is apart from the live end. */
  get top(): number | undefined {
    return this.detached ? this.options.log.coverage[0]?.[1] : undefined;
  }

  /** Where a resume starts: the top of the lowest range at the live end, not the window's. */
  resumePoint(): number | undefined {
    const { coverage } = this.options.log;
    return this.detached ? coverage[1]?.[1] : coverage[0]?.[1];
  }

  /** Shows the message at `seq`: at once when the log covers it, else its `around` page is asked for. */
  open(seq: number): void {
    this.epochs++;
    if (this.options.log.covers(seq)) {
      // At the live end while the reader is back in the window: the window goes.
      if (this.detached && seq > (this.top ?? 0)) this.leave();
      this.current = { seq, loading: false };
      return;
    }
    this.pendingAround = seq;
    this.current = { seq, loading: true };
  }

  /** Back to the live end: the window and any link still on its way are dropped. */
  jumpToPresent(): void {
    this.epochs++;
    this.pendingAround = null;
    this.current = null;
    this.leave();
  }

  /** The reader reached the bottom of the window. Returns whether a page is now wanted. */
  loadNewer(): boolean {
    if (!this.detached || this.newerWanted) return false;
    this.newerWanted = true;
    return true;
  }

  /** What the window asks the server next, if anything (the caller sends it, then says `sent`). */
  next(at: number): { frame: HistoryAsk; request: WindowRequest } | null {
    const { aroundPage, newerPage, log } = this.options;
    const around = this.pendingAround;
    if (around !== null) return { frame: { type: "history", around, limit: aroundPage }, request: { kind: "around", around, at } };
    if (!this.detached) {
      this.apart = false;
      this.newerWanted = false;
      return null;
    }
    const gap = log.firstGap();
    if (!this.newerWanted || !gap) return null;
    return { frame: { type: "history", after: gap.after, limit: newerPage }, request: { kind: "newer", after: gap.after, at } };
  }

  sent(request: WindowRequest): void {
    if (request.kind === "around") this.pendingAround = null;
  }

  /** A request of the window's went unanswered (the link dropped, or it was refused as too fast): ask again. */
  unanswered(request: WindowRequest): void {
    if (request.kind === "around" && this.pendingAround === null) this.pendingAround = request.around;
  }

  /**
   * The `around` page: chats as they stand, so it covers from its first chat (or the room's start)
   * to its last (or to `at`, with nothing newer: it reaches the live end). What lies below the
   * window's range goes, so the window is the log's lowest range.
   */
  aroundAnswered(frame: HistoryFrame, request: Extract<WindowRequest, { kind: "around" }>): WindowTop {
    const { log, take, cover } = this.options;
    const first = frame.messages[0]?.seq;
    const last = frame.messages.at(-1)?.seq;
    const from = frame.hasOlder === false ? 1 : first;
    const to = frame.hasNewer === false ? Math.max(last ?? 0, request.at) : last;
    // What is held up to the page's top goes first, for the page's chats as they stand: a held chat
    // below the page, or one in it held at the same rev, would keep a state (a quote) older than
    // the changes the page's range claims; and the window must be the log's lowest range. Older
    // pages bring what was below back as it stands.
    if (from !== undefined) log.dropBelow(to === undefined ? from : to + 1);
    take(frame.messages, false, request.at);
    if (from !== undefined && to !== undefined) cover(from, to);
    this.apart = log.firstGap() !== undefined;
    this.newerWanted = false;
    if (this.current?.seq === request.around) this.current = { seq: request.around, loading: false };
    return frame.hasOlder === false ? "start" : "more";
  }

  /** A page below the window: every event of its stretch, oldest first. */
  newerAnswered(frame: HistoryFrame, request: Extract<WindowRequest, { kind: "newer" }>): WindowTop {
    const { log, take, cover } = this.options;
    take(frame.messages, true, request.at);
    this.newerWanted = false;
    const first = frame.messages[0]?.seq;
    if (first !== undefined && first > request.after + 1) {
      // The server no longer has what follows the window: it cannot be joined up, so it goes.
      log.dropBelow(first);
      this.apart = false;
      return "unavailable";
    }
    // Every event up to what this connection was sent is in hand: the window meets the live stream.
    if (frame.hasNewer === false) cover(request.after + 1, Math.max(frame.messages.at(-1)?.seq ?? 0, request.at));
    return this.trimWindow() ? "more" : "same";
  }

  /**
   * The live end grew. While the window is apart, the live end keeps its newest `maxMessages`
   * chats (the gap above the window widens, to be read forward like the rest) and the window is
   * left alone. Returns false when there is no window: the log's own cap applies.
   */
  capLiveEnd(): boolean {
    const top = this.top;
    if (top === undefined) return false;
    const { log, maxMessages } = this.options;
    const inWindow = log.countBelow(top + 1);
    const atLiveEnd = log.size - inWindow;
    if (atLiveEnd > maxMessages) {
      const keepFrom = log.messages[inWindow + atLiveEnd - maxMessages]?.seq;
      if (keepFrom !== undefined) log.dropBetween(top + 1, keepFrom - 1);
    }
    return true;
  }

  /** The log starts over (a store reset, Clear): no window is left. A link still on its way is kept. */
  reset(): void {
    this.apart = false;
    this.newerWanted = false;
  }

  /** Drops the window, if any, keeping the live end. */
  private leave(): void {
    const above = this.detached ? this.options.log.coverage[1] : undefined;
    if (above) this.options.log.dropBelow(above[0]);
    this.apart = false;
    this.newerWanted = false;
  }

  /** The reader went far down: the window keeps its newest `maxMessages` chats. Returns whether any went. */
  private trimWindow(): boolean {
    const top = this.top;
    const { log, maxMessages } = this.options;
    if (top === undefined) return false;
    const inWindow = log.countBelow(top + 1);
    const keepFrom = log.messages[inWindow - maxMessages]?.seq;
    if (inWindow <= maxMessages || keepFrom === undefined) return false;
    log.dropBelow(keepFrom);
    return true;
  }
}
