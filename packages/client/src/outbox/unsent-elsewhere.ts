import type { ClientStorage } from "../persistence/storage";
import type { Backoff } from "../transport/backoff";
import { connectUrl } from "../transport/connect-url";
import type { ConnectionTimers, SocketFactory, Wakeups } from "../transport/connection";
import { OutboxFlush } from "./outbox-flush";

/**
 * Another room this tab left with messages not yet stored. `sending`: a background connection is
 * delivering them now; otherwise they wait until the user opens that room again.
 */
export interface UnsentRoom {
  room: string;
  count: number;
  sending: boolean;
}

export interface UnsentElsewhereOptions {
  endpoint: string;
  storage: ClientStorage;
  createSocket: SocketFactory;
  timers: ConnectionTimers;
  backoff?: Backoff;
  /** Passed on to every flush's connection (see `OutboxFlushOptions`). */
  wakeups?: Wakeups;
  linkLost?: Wakeups;
  flushDeadlineMs: number;
  retryAfterFallbackMs: number;
  onChange: () => void;
}

/** Who we are in the room being left, so the flush resumes as the same participant. */
export interface LeftRoom {
  room: string;
  since: number | undefined;
  /** How many of its messages are unsent. */
  unsent: number;
  session: string | undefined;
  name: string | undefined;
}

/** The rooms this tab left with unsent messages: the flush delivering each, or (once it ended) how many are left. */
export class UnsentElsewhere {
  private readonly rooms = new Map<string, OutboxFlush | number>();
  private cachedList: UnsentRoom[] | null = null;

  constructor(private readonly options: UnsentElsewhereOptions) {}

  get list(): UnsentRoom[] {
    this.cachedList ??= [...this.rooms].map(([room, flush]) =>
      flush instanceof OutboxFlush ? { room, count: flush.unsent, sending: true } : { room, count: flush, sending: false },
    );
    return this.cachedList;
  }

  /** Delivers the unsent messages of the room just left over a connection of their own, bounded in time. */
  leave(left: LeftRoom): void {
    this.cachedList = null;
    if (!left.session) {
      // No session yet: the server could not dedupe a resend, so they wait for the user's return.
      this.rooms.set(left.room, left.unsent);
      return;
    }
    const { options } = this;
    const { room } = left;
    const flush: OutboxFlush = new OutboxFlush({
      room,
      url: connectUrl(options.endpoint, left),
      storage: options.storage,
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.linkLost ? { linkLost: options.linkLost } : {}),
      deadlineMs: options.flushDeadlineMs,
      retryAfterFallbackMs: options.retryAfterFallbackMs,
      onChange: () => {
        if (this.rooms.get(room) !== flush) return;
        if (flush.finished) {
          if (flush.unsent > 0) this.rooms.set(room, flush.unsent);
          else this.rooms.delete(room);
        }
        this.cachedList = null;
        options.onChange();
      },
    });
    this.rooms.set(room, flush);
    flush.start();
  }

  /** Back to a room still being flushed: it hands over what is left through storage, which the room reads next. */
  returnTo(room: string): void {
    const flush = this.rooms.get(room);
    if (flush === undefined) return;
    this.rooms.delete(room);
    this.cachedList = null;
    if (flush instanceof OutboxFlush) flush.stop();
  }
}
