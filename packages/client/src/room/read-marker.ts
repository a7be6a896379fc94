import type { ConnectionTimers } from "../transport/connection";

export interface ReadMarkerOptions {
  timers: ConnectionTimers;
  /** At most one `read` per this long; the newest value wins. */
  everyMs: number;
  /** Sends `read {seq}` over the room's link; false when it cannot take it now. */
  send: (seq: number) => boolean;
  /** The marker this tab saved before a reload, if any. */
  restored: number;
}

/**
 * The user's read marker in one room: how far the tab has read (moved at once, so the unread
 * count drops at once) and what the server holds as far as we know. The server answers `read`
 * with nothing and spends a small budget on it, so `read` frames are coalesced: at most one per
 * `everyMs` per room, carrying the newest value, and one more after the room's next `joined` if
 * the server's value is behind ours.
 */
export class ReadMarker {
  private local: number;
  /** The server's marker as far as we know: from `ready`, `joined`, or a `read` we sent. */
  private stored = 0;
  private heardFromServer = false;
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private timer: unknown = null;

  constructor(private readonly options: ReadMarkerOptions) {
    this.local = options.restored;
  }

  get readSeq(): number {
    return this.local;
  }

  /** Whether the marker is known (saved before a reload, or said by the server), rather than a default 0. */
  get known(): boolean {
    return this.heardFromServer || this.local > 0;
  }

  /** The server's marker (`ready`, `joined`): it can only move ours forward; ours, if ahead, goes out. */
  heard(readSeq: number): void {
    this.heardFromServer = true;
    this.stored = readSeq;
    this.local = Math.max(this.local, readSeq);
    this.flush();
  }

  /** The server's store was reset: its marker is the truth, ours counted seqs that no longer mean the same. */
  reset(readSeq: number): void {
    this.local = 0;
    this.heard(readSeq);
  }

  /** The user has read up to `seq`. Returns whether the marker moved. */
  mark(seq: number): boolean {
    if (seq <= this.local) return false;
    this.local = seq;
    this.flush();
    return true;
  }

  /** The room's link went away: a wait for the next send is moot, its `joined` flushes again. */
  linkLost(): void {
    this.cancel();
  }

  dispose(): void {
    this.cancel();
  }

  private flush(): void {
    if (this.local <= this.stored || this.timer !== null) return;
    const { timers, everyMs } = this.options;
    const wait = this.lastSentAt + everyMs - timers.now();
    if (wait > 0) {
      this.timer = timers.setTimeout(() => {
        this.timer = null;
        this.flush();
      }, wait);
      return;
    }
    if (!this.options.send(this.local)) return;
    this.stored = this.local;
    this.lastSentAt = timers.now();
  }

  private cancel(): void {
    this.options.timers.clearTimeout(this.timer);
    this.timer = null;
  }
}
