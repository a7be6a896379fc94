import type { ChatLimits } from "../limits";
import { TokenBucket, WindowCounter } from "./token-bucket";

export type Budget = "chat" | "history" | "read" | "search";

/**
 * One connection's budgets, shared by every room it has joined: chats (renames spend it too),
 * history pages, read markers, bad frames and refused frames. All but the chat budget are made on
 * first use: most connections never page history or send a bad frame, and an idle connection
 * should cost as little as possible. A bucket made late is the same as one made when the
 * connection opened, since it would have refilled to its burst by then (it is dated from the
 * opening all the same).
 */
export class Budgets {
  private readonly chat: TokenBucket;
  private history: TokenBucket | null = null;
  private read: TokenBucket | null = null;
  private search: TokenBucket | null = null;
  private bad: WindowCounter | null = null;
  private flood: WindowCounter | null = null;

  constructor(
    private readonly limits: ChatLimits,
    private readonly openedAt: number,
  ) {
    this.chat = new TokenBucket(limits.burst, limits.ratePerSecond, openedAt);
  }

  /** Spends one unit; returns 0 when allowed, else how many ms until one is available. */
  spend(budget: Budget, now: number): number {
    return this.bucket(budget).take(now);
  }

  /** Counts a refused frame; true when the client keeps pushing past refusals (close it). */
  refusedTooOften(now: number): boolean {
    this.flood ??= new WindowCounter(this.limits.floodCloseAfter, this.limits.badFrameWindowMs);
    return this.flood.hit(now);
  }

  /** Counts a frame that did not decode; true when there were too many in the window (close it). */
  badFrameTooOften(now: number): boolean {
    this.bad ??= new WindowCounter(this.limits.badFrameLimit, this.limits.badFrameWindowMs);
    return this.bad.hit(now);
  }

  private bucket(budget: Budget): TokenBucket {
    if (budget === "chat") return this.chat;
    if (budget === "read") {
      this.read ??= new TokenBucket(this.limits.readBurst, this.limits.readPerSecond, this.openedAt);
      return this.read;
    }
    if (budget === "search") {
      this.search ??= new TokenBucket(this.limits.searchBurst, this.limits.searchPerSecond, this.openedAt);
      return this.search;
    }
    this.history ??= new TokenBucket(this.limits.historyBurst, this.limits.historyPerSecond, this.openedAt);
    return this.history;
  }
}
