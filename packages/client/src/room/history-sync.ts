import type { ChatFrame, HistoryFrame, JoinedFrame, ModerationEvent, PageEvent, RoomEvent } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";
import { HistoryWindow, type WindowRequest, type WindowTop } from "./history-window";
import type { MessageLog } from "./message-log";
import type { RoomLink } from "./room-link";
import type { SeqRange } from "./seq-coverage";

/**
 * What lies above the oldest message held: more to load, the room's first message, a hole the
 * server can no longer fill, or the point where the user pressed Clear.
 */
export type HistoryEdge = "more" | "start" | "unavailable" | "cleared";

/**
 * The one `history` request in flight: the server's answers carry no id, so we never ask twice at
 * once. A gap is filled reading forward (`after`: every event, so no edit, delete or reaction in
 * it is missed); older pages and the continuity check read back (`before`: chats as they stand).
 * `at` is the newest seq held when it was asked: the server had reached it when it read the page.
 */
type HistoryRequest =
  | { kind: "gap"; after: number; before: number; at: number }
  | { kind: "older"; before: number; at: number }
  | { kind: "continuity"; before: number }
  | WindowRequest;

/** Where events come from: the cap on the log bites as the live end grows, not on pages the reader asked for. */
export type EventSource = "joined" | "live" | "history";

/** What taking events in did to the log. */
export interface Taken {
  /** Chats held for the first time, in the order they came. */
  fresh: ChatFrame[];
  /** Every event of a known kind taken in, chats included: the room finds its own echoes among them. */
  events: RoomEvent[];
}

export interface HistorySyncOptions {
  log: MessageLog;
  link: RoomLink;
  timers: ConnectionTimers;
  /** Whether the room's `joined` has been applied (no gap fill or paging before it). */
  joined: () => boolean;
  maxMessages: number;
  historyPage: number;
  gapPage: number;
}

/**
 * The log's window onto the room's history. Every source goes through the same two steps: its
 * events are applied (chat-reducer.ts decides what changes), and the seq ranges it reflects are
 * covered:
 * - a fresh `joined` (the newest chats as they stand) covers its first chat (or 1, when complete)
 *   up to `latestSeq`;
 * - a `before: B` page (chats as they stand) covers its first chat (or 1, when nothing is older)
 *   up to B-1;
 * - live events and `after` pages cover their own seqs; a resuming `joined` too, and all of
 *   `since+1..latestSeq` when complete.
 * An uncovered stretch between covered ranges is a gap, filled forward with `after` pages; the
 * resume point is the top of the lowest range. Also keeps at most `maxMessages` chats, loads older
 * pages, and knows what lies above the oldest message (`HistoryEdge`) and where the user cleared.
 */
export class HistorySync {
  private request: HistoryRequest | null = null;
  /** The seq of the chat a resume's continuity check asks the server for, before its `joined` is applied. */
  private verifyAnchor: number | null = null;
  private loading = false;
  private historyEdge: HistoryEdge = "more";
  private serverLatestSeq = 0;
  private cleared = 0;
  private retryTimer: unknown = null;
  /** Where `take` gathers a window page's events (see `windowPage`). */
  private collecting: Taken | null = null;
  /** A link's window onto older history, apart from the live end (history-window.ts); read its state, command it through this class. */
  readonly window: HistoryWindow;

  constructor(private readonly options: HistorySyncOptions) {
    this.window = new HistoryWindow({
      log: options.log,
      aroundPage: options.historyPage,
      newerPage: options.gapPage,
      maxMessages: options.maxMessages,
      take: (events, coverEach, quotedAt) => this.take(events, coverEach, quotedAt),
      cover: (from, to) => this.coverAboveCleared(from, to),
    });
  }

  get edge(): HistoryEdge {
    return this.historyEdge;
  }

  get loadingOlder(): boolean {
    return this.loading;
  }

  /** Everything up to this seq was hidden by Clear. */
  get clearedThroughSeq(): number {
    return this.cleared;
  }

  /** The highest seq the server is known to have in this room. */
  get latestSeq(): number {
    return this.serverLatestSeq;
  }

  /** A history request is waiting for its answer. */
  get inFlight(): boolean {
    return this.request !== null;
  }

  /** What a reload brought back: chats as they stood, the moderation lines among them, and the ranges they reflect. */
  restore(
    messages: readonly ChatFrame[],
    coverage: readonly SeqRange[],
    clearedThroughSeq: number,
    moderation: readonly ModerationEvent[] = [],
  ): void {
    const { log } = this.options;
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
    if (clearedThroughSeq > 0) this.historyEdge = "cleared";
    else if (log.messages[0]?.seq === 1) this.historyEdge = "start";
  }

  /** The highest seq up to which this tab reflects every event: what a resume asks to follow. */
  resumePoint(): number | undefined {
    return this.window.resumePoint();
  }

  /** Shows the chat at `seq` (a link, a search result): from the log, or with the page around it. */
  openAt(seq: number): void {
    this.window.open(seq);
    this.pump();
  }

  /** The reader reached the bottom of a window apart from the live end: the next page below it. */
  loadNewer(): boolean {
    if (!this.window.loadNewer()) return false;
    this.pump();
    return true;
  }

  /** Back to the live end, dropping the window. */
  jumpToPresent(): void {
    this.window.jumpToPresent();
    this.historyEdge = this.options.log.messages[0]?.seq === 1 && this.cleared === 0 ? "start" : "more";
    this.pump();
  }

  /** A live event of the room: applied, and its seq covered. */
  live(event: PageEvent): Taken {
    const taken = this.take([event], true);
    this.capLiveEnd();
    return taken;
  }

  /** The server says the room has reached `latestSeq` (a membership listed by `ready`). */
  heardOf(latestSeq: number): void {
    this.serverLatestSeq = Math.max(this.serverLatestSeq, latestSeq);
  }

  /** After a store reset nothing we hold matches the server's seqs. */
  storeReset(): void {
    this.options.log.clear();
    this.window.reset();
    this.cleared = 0;
    this.historyEdge = "more";
  }

  /** Applies a `joined` for an attempt that asked for `since`. */
  joined(frame: JoinedFrame, since: number | undefined, storeReset: boolean): Taken {
    const { log } = this.options;
    this.serverLatestSeq = frame.latestSeq;
    this.unanswered();
    let taken: Taken;
    if (since === undefined) {
      // The newest chats as they stand: they reflect every event up to latestSeq.
      taken = this.take(frame.messages, false, frame.latestSeq);
      const from = frame.complete ? 1 : frame.messages[0]?.seq;
      if (from !== undefined) this.coverAboveCleared(from, frame.latestSeq);
    } else {
      // Every event after `since`, newest last; all of them when complete.
      taken = this.take(frame.messages, true, frame.latestSeq);
      if (frame.complete) this.coverAboveCleared(since + 1, frame.latestSeq);
    }
    this.capLiveEnd();
    const first = log.messages[0]?.seq;
    if (this.cleared === 0 && (frame.latestSeq === 0 || first === 1)) this.historyEdge = "start";
    else if (since === undefined && frame.complete && this.cleared === 0) this.historyEdge = "start";
    // After a reset the log holds at most what came after `since`: fill the newest page like a first visit would.
    if (storeReset && frame.latestSeq > 0 && log.size < this.options.historyPage && this.historyEdge === "more") this.loading = true;
    return taken;
  }

  /** Asks for the server's chat at `anchor` before anything else, to verify a resume. */
  verify(anchor: number): void {
    this.verifyAnchor = anchor;
    this.pump();
  }

  /**
   * An answer to the request in flight. `continuity` when it answers `verify` (the caller reads
   * it); otherwise the page is taken in.
   */
  received(frame: HistoryFrame): { kind: "continuity" } | { kind: "page"; taken: Taken } {
    const request = this.request;
    this.request = null;
    if (request?.kind === "continuity") {
      this.verifyAnchor = null;
      return { kind: "continuity" };
    }
    let taken: Taken;
    if (request?.kind === "gap") taken = this.gapPage(frame, request);
    else if (request?.kind === "older") taken = this.olderPage(frame, request);
    else if (request?.kind === "around" || request?.kind === "newer") taken = this.windowPage(frame, request);
    // Asked for before the room rejoined: what it bounds is not known any more, and what it
    // holds is asked for again if still missing.
    else taken = { fresh: [], events: [] };
    this.pump();
    return { kind: "page", taken };
  }

  /** The request in flight was refused as too fast: ask again when allowed. */
  rateLimited(retryAfterMs: number): void {
    this.unanswered();
    this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = this.options.timers.setTimeout(() => this.pump(), retryAfterMs);
  }

  /** Asks for the page above the oldest message held. Returns false when there is none to ask for, or one is coming. */
  loadOlder(): boolean {
    if (this.loading || this.historyEdge !== "more") return false;
    this.loading = true;
    this.pump();
    return true;
  }

  /** Hides everything received so far, like the seed's Clear button. Local only. */
  clear(): void {
    const { log } = this.options;
    this.cleared = Math.max(this.cleared, log.newestSeq);
    log.clearThrough(this.cleared);
    this.window.reset();
    this.loading = false;
    this.historyEdge = "cleared";
  }

  /** The link is not open: its request will never be answered. A link that ended for good ends paging too. */
  linkLost(ended: boolean): void {
    this.unanswered();
    this.verifyAnchor = null;
    if (ended) this.loading = false;
  }

  dispose(): void {
    this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** The request in flight will not be answered: a link's page is asked for again. */
  private unanswered(): void {
    const request = this.request;
    this.request = null;
    if (request?.kind === "around" || request?.kind === "newer") this.window.unanswered(request);
  }

  /** Sends the next `history` request, if none is in flight: the continuity check, then gaps, then an older page. */
  pump(): void {
    const { link, log } = this.options;
    if (this.request || !link.isOpen()) return;
    if (this.verifyAnchor !== null) {
      const before = this.verifyAnchor + 1;
      if (link.send({ type: "history", before, limit: 1 })) this.request = { kind: "continuity", before };
      return;
    }
    if (!this.options.joined()) return;
    const wanted = this.window.next(log.newestSeq);
    if (wanted) {
      if (link.send(wanted.frame)) {
        this.request = wanted.request;
        this.window.sent(wanted.request);
      }
      return;
    }
    // The gap above a link's window is the reader's to fill, page by page as they scroll down.
    const gap = this.window.detached ? undefined : log.firstGap();
    if (gap) {
      const missing = gap.before - gap.after - 1;
      if (missing + (log.size - log.countBelow(gap.before)) > this.options.maxMessages) {
        // The gap is bigger than what we keep: drop what lies under it and let paging reach back instead.
        log.dropBelow(gap.before);
        this.historyEdge = "more";
        this.pump();
        return;
      }
      if (link.send({ type: "history", after: gap.after, limit: Math.min(this.options.gapPage, missing) })) {
        this.request = { kind: "gap", after: gap.after, before: gap.before, at: log.newestSeq };
      }
      return;
    }
    // Nothing to show, though what is covered says the room has history (its newest events were
    // all changes, or what held the chats was dropped): the page below it comes by itself.
    if (log.size === 0 && log.oldestSeq !== undefined && this.historyEdge === "more") this.loading = true;
    if (!this.loading) return;
    const before = log.oldestSeq ?? this.serverLatestSeq + 1;
    if (this.cleared > 0 && before <= this.cleared + 1) {
      this.loading = false;
      this.historyEdge = "cleared";
      return;
    }
    if (before <= 1) {
      this.loading = false;
      this.historyEdge = "start";
      return;
    }
    if (link.send({ type: "history", before, limit: this.options.historyPage }))
      this.request = { kind: "older", before, at: log.newestSeq };
  }

  /** An `after` page: every event of the stretch, oldest first. */
  private gapPage(frame: HistoryFrame, request: { after: number; before: number; at: number }): Taken {
    const { log } = this.options;
    const taken = this.take(frame.messages, true, request.at);
    const first = frame.messages[0]?.seq;
    if (first === undefined || first > request.after + 1) {
      // The server no longer has the start of that stretch (trimmed or reset): what lies below
      // the first event it still has cannot be joined up. Filling goes on above it.
      log.dropBelow(first ?? request.before);
      this.historyEdge = "unavailable";
    }
    return taken;
  }

  /** A page of the link's window: the one around its message, or one below the window. */
  private windowPage(frame: HistoryFrame, request: WindowRequest): Taken {
    const taken: Taken = { fresh: [], events: [] };
    this.collecting = taken;
    const top: WindowTop =
      request.kind === "around" ? this.window.aroundAnswered(frame, request) : this.window.newerAnswered(frame, request);
    this.collecting = null;
    // The window drops what it replaces; what Clear hid stays covered, as `clearThrough` left it.
    if (this.cleared > 0) this.options.log.cover(1, this.cleared);
    if (top === "start" || this.options.log.messages[0]?.seq === 1) this.historyEdge = this.cleared > 0 ? "cleared" : "start";
    else if (top !== "same") this.historyEdge = top;
    if (request.kind === "around") this.loading = false;
    return taken;
  }

  /** A `before` page: the chats below `before`, as they stand. */
  private olderPage(frame: HistoryFrame, { before, at }: { before: number; at: number }): Taken {
    const { log } = this.options;
    const taken = this.take(frame.messages, false, at);
    // Nothing older: everything below `before` is reflected. Else from the page's first chat up.
    const from = frame.hasOlder === false ? 1 : frame.messages[0]?.seq;
    if (from !== undefined) this.coverAboveCleared(from, before - 1);
    this.loading = false;
    if (log.messages[0]?.seq === 1) this.historyEdge = "start";
    else if (!frame.hasOlder || taken.fresh.length === 0) this.historyEdge = log.size === 0 ? "start" : "unavailable";
    return taken;
  }

  /**
   * Applies events from any source, by the rules of chat-reducer.ts, skipping what the user
   * cleared; `coverEach` covers the seq of each one (pages that hold every event of their stretch).
   * `quotedAt`: what the page's reply quotes are as of (absent: live, each chat's own seq).
   */
  private take(events: readonly PageEvent[], coverEach: boolean, quotedAt?: number): Taken {
    const { log } = this.options;
    // The window's pages are taken through its callback: what they bring is gathered for the caller.
    const taken: Taken = this.collecting ?? { fresh: [], events: [] };
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

  private coverAboveCleared(from: number, to: number): void {
    this.options.log.cover(Math.max(from, this.cleared + 1), to);
  }

  /** Older pages the reader asked for are kept; the cap bites as the live end grows. */
  private capLiveEnd(): void {
    if (this.window.capLiveEnd()) return;
    if (this.options.log.trim(this.options.maxMessages) > 0) this.historyEdge = "more";
  }
}
