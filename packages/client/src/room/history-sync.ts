import type { ChatFrame, HistoryFrame, JoinedFrame, PageEvent } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";
import type { MessageLog } from "./message-log";
import type { RoomLink } from "./room-link";

/**
 * What lies above the oldest message held: more to load, the room's first message, a hole the
 * server can no longer fill, or the point where the user pressed Clear.
 */
export type HistoryEdge = "more" | "start" | "unavailable" | "cleared";

/**
 * The one `history` request in flight: the server's answers carry no id, so we never ask twice at
 * once. A hole is filled reading forward (`after`), so no event inside it is missed whatever its
 * kind; older pages and the continuity check read back (`before`).
 */
type HistoryRequest =
  | { kind: "gap"; after: number; before: number }
  | { kind: "older"; before: number }
  | { kind: "continuity"; before: number };

/** Where chats come from: the cap on the log bites as the live end grows, not on pages the reader asked for. */
export type ChatSource = "joined" | "live" | "history";

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
 * The log's window onto the room's history: merges chats from every source by seq, keeps at
 * most `maxMessages`, fills gaps, loads older pages, and knows what lies above the oldest message
 * (`HistoryEdge`) and where the user cleared. One `history` request is in flight at a time.
 */
export class HistorySync {
  private request: HistoryRequest | null = null;
  /** A resume's `since` whose message must be checked before its `joined` is applied. */
  private verifySince: number | null = null;
  private loading = false;
  private historyEdge: HistoryEdge = "more";
  /** Set when a resume's `joined` was incomplete and we hold nothing at or below `since`: fill forward from it. */
  private backfillFloor: number | undefined;
  private serverLatestSeq = 0;
  private cleared = 0;
  private retryTimer: unknown = null;

  constructor(private readonly options: HistorySyncOptions) {}

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

  /** What a reload brought back. */
  restore(messages: readonly ChatFrame[], silentSeqs: readonly number[], clearedThroughSeq: number): void {
    const { log } = this.options;
    this.cleared = clearedThroughSeq;
    log.merge(messages);
    for (const seq of silentSeqs) log.markSilent(seq);
    this.serverLatestSeq = log.newestSeq;
    if (log.oldestSeq === 1) this.historyEdge = "start";
    else if (clearedThroughSeq > 0) this.historyEdge = "unavailable";
  }

  /** The highest seq up to which this tab holds every message it should show. */
  resumePoint(): number | undefined {
    const { log } = this.options;
    const oldest = log.oldestSeq;
    if (oldest === undefined) return this.cleared > 0 ? this.cleared : undefined;
    if (this.backfillFloor !== undefined) return this.backfillFloor;
    const gap = log.firstGapAfter(oldest);
    return gap ? gap.after : log.newestSeq;
  }

  /** Merges chats from any source; returns the ones that were new. */
  accept(messages: readonly ChatFrame[], source: ChatSource): ChatFrame[] {
    const { log } = this.options;
    const fresh = log.merge(messages.filter((message) => message.seq > this.cleared));
    for (const message of fresh) this.serverLatestSeq = Math.max(this.serverLatestSeq, message.seq);
    // Older pages the reader asked for are kept; the cap bites as the live end grows.
    if (source !== "history" && log.trim(this.options.maxMessages) > 0) {
      this.historyEdge = "more";
      if (this.backfillFloor !== undefined && (log.oldestSeq ?? 0) > this.backfillFloor + 1) this.backfillFloor = undefined;
    }
    return fresh;
  }

  /** Interim: a page's chats are merged, its other events only hold their seqs. */
  private acceptPage(events: readonly PageEvent[], source: ChatSource): ChatFrame[] {
    const chats = events.filter((event): event is ChatFrame => event.type === "chat");
    for (const event of events) if (event.type !== "chat") this.acceptSilent(event.seq);
    return this.accept(chats, source);
  }

  /**
   * A stored event of a kind this client cannot show: its seq exists, so the position moves past
   * it and no gap is asked for. Returns whether it was new.
   */
  acceptSilent(seq: number): boolean {
    if (seq <= this.cleared || !this.options.log.markSilent(seq)) return false;
    this.serverLatestSeq = Math.max(this.serverLatestSeq, seq);
    return true;
  }

  /** The server says the room has reached `latestSeq` (a membership listed by `ready`). */
  heardOf(latestSeq: number): void {
    this.serverLatestSeq = Math.max(this.serverLatestSeq, latestSeq);
  }

  /** After a store reset nothing we hold matches the server's seqs. */
  storeReset(): void {
    this.options.log.clear();
    this.cleared = 0;
    this.backfillFloor = undefined;
    this.historyEdge = "more";
  }

  /** Applies a `joined`'s messages and edges for an attempt that asked for `since`; returns the new chats. */
  joined(frame: JoinedFrame, since: number | undefined, storeReset: boolean): ChatFrame[] {
    const { log } = this.options;
    this.serverLatestSeq = frame.latestSeq;
    this.request = null;
    const heldBefore = log.oldestSeq;
    const fresh = this.acceptPage(frame.messages, "joined");
    // A resume that could not carry everything after `since`: read forward from `since` until the
    // hole is closed, unless what we hold already bounds it.
    if (!storeReset && since !== undefined && !frame.complete && (heldBefore === undefined || heldBefore > since)) {
      this.backfillFloor = since;
    }
    if (frame.latestSeq === 0 || log.oldestSeq === 1) this.historyEdge = "start";
    else if (since === undefined && frame.complete && this.cleared === 0) this.historyEdge = "start";
    // After a reset the log holds at most what came after `since`: fill the newest page like a first visit would.
    if (storeReset && frame.latestSeq > 0 && log.size < this.options.historyPage && this.historyEdge === "more") this.loading = true;
    return fresh;
  }

  /** Asks for the server's message at `since` before anything else, to verify a resume. */
  verify(since: number): void {
    this.verifySince = since;
    this.pump();
  }

  /**
   * An answer to the request in flight. `continuity` when it answers `verify` (the caller reads
   * it); otherwise the page is merged and the new chats are returned.
   */
  received(frame: HistoryFrame): { kind: "continuity" } | { kind: "page"; fresh: ChatFrame[] } {
    const request = this.request;
    this.request = null;
    if (request?.kind === "continuity") {
      this.verifySince = null;
      return { kind: "continuity" };
    }
    const { log } = this.options;
    const fresh = this.acceptPage(frame.messages, "history");
    const first = frame.messages[0]?.seq;
    if (request?.kind === "gap" && (first === undefined || first > request.after + 1)) {
      // The server no longer has the start of that stretch (trimmed or reset): what lies below
      // the first event it still has cannot be joined up. Filling goes on above it.
      log.dropBelow(first ?? request.before);
      this.backfillFloor = undefined;
      this.historyEdge = "unavailable";
    } else if (request?.kind === "older") {
      this.loading = false;
      if (log.oldestSeq === 1) this.historyEdge = "start";
      else if (!frame.hasOlder || fresh.length === 0) this.historyEdge = log.size === 0 ? "start" : "unavailable";
    }
    this.pump();
    return { kind: "page", fresh };
  }

  /** The request in flight was refused as too fast: ask again when allowed. */
  rateLimited(retryAfterMs: number): void {
    this.request = null;
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
    this.backfillFloor = undefined;
    this.loading = false;
    this.historyEdge = "cleared";
  }

  /** The link is not open: its request will never be answered. A link that ended for good ends paging too. */
  linkLost(ended: boolean): void {
    this.request = null;
    this.verifySince = null;
    if (ended) this.loading = false;
  }

  dispose(): void {
    this.options.timers.clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  /** Sends the next `history` request, if none is in flight: the continuity check, then holes, then an older page. */
  pump(): void {
    const { link, log } = this.options;
    if (this.request || !link.isOpen()) return;
    if (this.verifySince !== null) {
      const before = this.verifySince + 1;
      if (link.send({ type: "history", before, limit: 1 })) this.request = { kind: "continuity", before };
      return;
    }
    if (!this.options.joined()) return;
    const gap = this.nextGap();
    if (gap) {
      const missing = gap.before - gap.after - 1;
      if (missing + (log.size - log.countBelow(gap.before)) > this.options.maxMessages) {
        // The hole is bigger than what we keep: drop what lies under it and let paging reach back instead.
        log.dropBelow(gap.before);
        this.backfillFloor = undefined;
        this.historyEdge = "more";
        this.pump();
        return;
      }
      if (link.send({ type: "history", after: gap.after, limit: Math.min(this.options.gapPage, missing) })) {
        this.request = { kind: "gap", after: gap.after, before: gap.before };
      }
      return;
    }
    if (!this.loading) return;
    const before = log.oldestSeq ?? this.serverLatestSeq + 1;
    if (before <= 1 || before <= this.cleared + 1) {
      this.loading = false;
      this.historyEdge = before <= 1 ? "start" : "cleared";
      return;
    }
    if (link.send({ type: "history", before, limit: this.options.historyPage })) this.request = { kind: "older", before };
  }

  /** The first hole the log should not have: inside it, or between a resume's `since` and its `joined`. */
  private nextGap(): { after: number; before: number } | undefined {
    const { log } = this.options;
    const oldest = log.oldestSeq;
    if (oldest === undefined) return undefined;
    if (this.backfillFloor !== undefined) {
      if (oldest > this.backfillFloor + 1) return { after: this.backfillFloor, before: oldest };
      this.backfillFloor = undefined;
    }
    return log.firstGapAfter(oldest);
  }
}
