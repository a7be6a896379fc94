import { encode, type User } from "@chatroom/protocol";
import { systemFrame } from "../frames";
import type { ChatLimits } from "../limits";
import type { OutboundBatch, RoomSeat, Timers } from "../ports";
import type { Broadcaster } from "./broadcaster";
import { type PresenceDiff, PresenceWindow } from "./presence-window";

export interface SystemFlushOptions {
  room: string;
  limits: Pick<ChatLimits, "systemFlushMs" | "welcomeMembersMax" | "largeRoomSystemEntries">;
  timers: Timers;
  broadcaster: Broadcaster;
  /** Members on every node, as system frames report it. */
  memberCount(): number;
}

/**
 * Membership changes, coalesced: they go out at most once per `systemFlushMs`, so N joins cost
 * O(N) frames. Each seat is told only what changed after its `joined`.
 */
export class SystemFlush {
  private readonly window = new PresenceWindow();
  /** Seats admitted while the window held changes, with the point their `joined` reflects. */
  private readonly admittedMidWindow = new Map<RoomSeat, number>();
  private timer: unknown = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: SystemFlushOptions) {}

  /** The point the window has reached; a `joined` built now shows the room as of here. */
  get mark(): number {
    return this.window.mark;
  }

  /** Notes how a user changed for members (if they did) and makes sure the window gets told. */
  record(id: string, before: User | null, after: User | null): void {
    this.window.record(id, before, after);
    if (!this.window.isEmpty) this.schedule();
  }

  /** A seat whose `joined` shows the room as of `mark`: what changed before is not told to it again. */
  admitted(seat: RoomSeat, mark: number): void {
    if (mark > 0) this.admittedMidWindow.set(seat, mark);
  }

  /** A server announcement to everyone here, outside the coalescing window. */
  announce(notice: string): void {
    const { broadcaster } = this.options;
    broadcaster.broadcast(encode(this.frame({ joined: [], left: [], renamed: [] }, notice)));
    broadcaster.flush();
  }

  dispose(): void {
    this.options.timers.clearTimeout(this.timer);
    this.admittedMidWindow.clear();
  }

  private schedule(): void {
    if (this.timer !== null) return;
    const { timers, limits } = this.options;
    const wait = Math.max(0, this.lastFlushAt + limits.systemFlushMs - timers.now());
    this.timer = timers.setTimeout(() => this.flush(), wait);
  }

  /**
   * Tells the window's changes: one frame for everyone who was here when it opened, and for each
   * seat admitted inside it only what changed after its `joined` (each frame encoded once).
   */
  private flush(): void {
    this.timer = null;
    this.lastFlushAt = this.options.timers.now();
    if (this.window.isEmpty) return;
    const { limits } = this.options;
    // A room bigger than the member list of `joined` is described by its count: a burst there names
    // only its first few users, so a storm of N joins costs O(N) bytes instead of O(N²).
    const max = this.options.memberCount() > limits.welcomeMembersMax ? limits.largeRoomSystemEntries : Number.POSITIVE_INFINITY;
    const batchFor = (diff: PresenceDiff): OutboundBatch | null =>
      diff.joined.length + diff.left.length + diff.renamed.length === 0
        ? null
        : {
            frames: [
              Buffer.from(
                encode(
                  this.frame({ joined: diff.joined.slice(0, max), left: diff.left.slice(0, max), renamed: diff.renamed.slice(0, max) }),
                ),
              ),
            ],
          };
    const batches = new Map<number, OutboundBatch | null>([[0, batchFor(this.window.diff())]]);
    this.options.broadcaster.sendEach((seat) => {
      const mark = this.admittedMidWindow.get(seat) ?? 0;
      let batch = batches.get(mark);
      if (batch === undefined) {
        batch = batchFor(this.window.diff(mark));
        batches.set(mark, batch);
      }
      return batch;
    });
    this.window.clear();
    this.admittedMidWindow.clear();
  }

  private frame(diff: PresenceDiff, notice?: string) {
    const { timers, room } = this.options;
    return systemFrame({
      room,
      ts: timers.now(),
      memberCount: this.options.memberCount(),
      ...diff,
      ...(notice === undefined ? {} : { notice }),
    });
  }
}
