import type { HistorySync } from "./history-sync";
import type { MessageLog } from "./message-log";

interface Waiter {
  seq: number;
  resolve: (held: boolean) => void;
}

/**
 * Bringing one chat into the log, for a reply's quote that points further back than anything
 * held: pages back (`before`) until the chat at `seq` is held or nothing older is left. Each
 * `reveal` resolves once, with whether the chat is held; meanwhile the usual paging state
 * (`loadingOlder`) shows the wait.
 */
export class Reveal {
  private waiters: Waiter[] = [];

  constructor(
    private readonly log: MessageLog,
    private readonly history: HistorySync,
  ) {}

  reveal(seq: number): Promise<boolean> {
    return new Promise((resolve) => {
      this.waiters.push({ seq, resolve });
      this.advance();
    });
  }

  /** Call after anything that may have brought a chat in or ended paging: answers what it can, pages on for the rest. */
  advance(): void {
    if (this.waiters.length === 0) return;
    this.waiters = this.waiters.filter((waiter) => {
      const held = this.answer(waiter.seq);
      if (held === undefined) return true;
      waiter.resolve(held);
      return false;
    });
    const floor = this.log.oldestSeq;
    if (this.waiters.some((waiter) => floor === undefined || waiter.seq < floor)) this.history.loadOlder();
  }

  /** The room is gone: nothing more will come in. */
  dispose(): void {
    for (const waiter of this.waiters) waiter.resolve(false);
    this.waiters = [];
  }

  /** Whether the chat at `seq` is held, or undefined while that is not known yet. */
  private answer(seq: number): boolean | undefined {
    const { log, history } = this;
    if (log.has(seq)) return true;
    // Reflected but not held: the seq of an edit or a reaction, or hidden by Clear. Above the
    // newest seq the room has: not a chat (yet).
    if (!Number.isInteger(seq) || seq < 1 || seq <= history.clearedThroughSeq || log.covers(seq)) return false;
    if (seq > Math.max(history.latestSeq, log.newestSeq)) return false;
    const floor = log.oldestSeq;
    // Inside a gap: the forward fill brings it.
    if (floor !== undefined && seq > floor) return undefined;
    return history.edge === "more" || history.loadingOlder ? undefined : false;
  }
}
