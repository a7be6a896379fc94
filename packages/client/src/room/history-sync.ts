import type { ChatFrame, HistoryFrame, JoinedFrame, ModerationEvent, PageEvent } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";
import { HistoryIntake, nothingTaken, type Taken } from "./history-intake";
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
 * The log's window onto the room's history: plans the one `history` request in flight and reads
 * each answer for what lies above the oldest message (`HistoryEdge`). How each source's events and
 * ranges reach the log is history-intake.ts's. An uncovered stretch between covered ranges is a
 * gap, filled forward with `after` pages; the resume point is the top of the lowest range. Also
 * keeps at most `maxMessages` chats at the live end and loads older pages; a link's window apart
 * from the live end is history-window.ts's, driven from here.
 */
export class HistorySync {
  private request: HistoryRequest | null = null;
  /** The seq of the chat a resume's continuity check asks the server for, before its `joined` is applied. */
  private verifyAnchor: number | null = null;
  private loading = false;
  private historyEdge: HistoryEdge = "more";
  private retryTimer: unknown = null;
  private readonly intake: HistoryIntake;
  /** A link's window onto older history, apart from the live end (history-window.ts); read its state, command it through this class. */
  readonly window: HistoryWindow;

  constructor(private readonly options: HistorySyncOptions) {
    const intake = new HistoryIntake(options.log);
    this.intake = intake;
    this.window = new HistoryWindow({
      log: options.log,
      aroundPage: options.historyPage,
      newerPage: options.gapPage,
      maxMessages: options.maxMessages,
      take: (events, coverEach, quotedAt) => intake.take(events, coverEach, quotedAt),
      cover: (from, to) => intake.cover(from, to),
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
    return this.intake.clearedThroughSeq;
  }

  /** The highest seq the server is known to have in this room. */
  get latestSeq(): number {
    return this.intake.latestSeq;
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
    this.intake.restore(messages, coverage, clearedThroughSeq, moderation);
    if (clearedThroughSeq > 0) this.historyEdge = "cleared";
    else if (this.options.log.messages[0]?.seq === 1) this.historyEdge = "start";
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
    this.historyEdge = this.options.log.messages[0]?.seq === 1 && this.intake.clearedThroughSeq === 0 ? "start" : "more";
    this.pump();
  }

  /** A live event of the room: applied, and its seq covered. */
  live(event: PageEvent): Taken {
    const taken = this.intake.live(event);
    this.capLiveEnd();
    return taken;
  }

  /** The server says the room has reached `latestSeq` (a membership listed by `ready`). */
  heardOf(latestSeq: number): void {
    this.intake.heardOf(latestSeq);
  }

  /** After a store reset nothing we hold matches the server's seqs. */
  storeReset(): void {
    this.intake.storeReset();
    this.window.reset();
    this.historyEdge = "more";
  }

  /** Applies a `joined` for an attempt that asked for `since`. */
  joined(frame: JoinedFrame, since: number | undefined, storeReset: boolean): Taken {
    const { log } = this.options;
    this.unanswered();
    const taken = this.intake.joined(frame, since);
    this.capLiveEnd();
    const first = log.messages[0]?.seq;
    const cleared = this.intake.clearedThroughSeq > 0;
    if (!cleared && (frame.latestSeq === 0 || first === 1)) this.historyEdge = "start";
    else if (since === undefined && frame.complete && !cleared) this.historyEdge = "start";
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
    else taken = nothingTaken();
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
    this.intake.clear();
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
    const before = log.oldestSeq ?? this.intake.latestSeq + 1;
    const cleared = this.intake.clearedThroughSeq;
    if (cleared > 0 && before <= cleared + 1) {
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

  /** An `after` page filling a gap: past a stretch the server no longer has, nothing older can be joined up. */
  private gapPage(frame: HistoryFrame, request: { after: number; before: number; at: number }): Taken {
    const { taken, joinedUp } = this.intake.afterPage(frame, request);
    if (!joinedUp) this.historyEdge = "unavailable";
    return taken;
  }

  /** A page of the link's window: the one around its message, or one below the window. */
  private windowPage(frame: HistoryFrame, request: WindowRequest): Taken {
    const { taken, value: top } = this.intake.windowPage(
      (): WindowTop => (request.kind === "around" ? this.window.aroundAnswered(frame, request) : this.window.newerAnswered(frame, request)),
    );
    const cleared = this.intake.clearedThroughSeq > 0;
    if (top === "start" || this.options.log.messages[0]?.seq === 1) this.historyEdge = cleared ? "cleared" : "start";
    else if (top !== "same") this.historyEdge = top;
    if (request.kind === "around") this.loading = false;
    return taken;
  }

  /** A `before` page: the chats below `before`, as they stand. */
  private olderPage(frame: HistoryFrame, request: { before: number; at: number }): Taken {
    const { log } = this.options;
    const taken = this.intake.beforePage(frame, request);
    this.loading = false;
    if (log.messages[0]?.seq === 1) this.historyEdge = "start";
    else if (!frame.hasOlder || taken.fresh.length === 0) this.historyEdge = log.size === 0 ? "start" : "unavailable";
    return taken;
  }

  /** Older pages the reader asked for are kept; the cap bites as the live end grows. */
  private capLiveEnd(): void {
    if (this.window.capLiveEnd()) return;
    if (this.options.log.trim(this.options.maxMessages) > 0) this.historyEdge = "more";
  }
}
