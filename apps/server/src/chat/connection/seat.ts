import type { OutboundBatch, Removal, RoomSeat } from "../ports";
import type { Outlet } from "./outlet";

/** What the room's moderation does to the connection behind a seat. */
export interface SeatHooks {
  removed(removal: Removal): void;
  renamedBy(name: string): void;
}

export interface SeatOptions {
  /** The connection's way out, shared by all of its seats. */
  outlet: Outlet;
  userId: string;
  hooks: SeatHooks;
}

/**
 * A connection's seat in one room: the room's way to the client. Frames fanned out while the
 * room's `joined` is being built are held and sent right after it, so `joined` and the live
 * stream meet with no gap and no overlap.
 */
export class Seat implements RoomSeat {
  readonly userId: string;
  private readonly outlet: Outlet;
  private readonly hooks: SeatHooks;
  /** Null once live. */
  private held: Array<string | Buffer> | null = [];
  /** Left the room, or the socket is gone: this seat writes nothing more. */
  private detached = false;

  constructor(options: SeatOptions) {
    this.outlet = options.outlet;
    this.userId = options.userId;
    this.hooks = options.hooks;
  }

  /** Fan-out path: one write, or a hold while `joined` is in flight. */
  deliver(data: string | Buffer): void {
    if (this.held) {
      this.held.push(data);
      return;
    }
    this.write(data);
  }

  /** Fan-out path for a room's batch: one transport call for all its frames. */
  deliverBatch(batch: OutboundBatch): void {
    if (this.held) {
      for (const frame of batch.frames) this.held.push(frame);
      return;
    }
    if (!this.detached) this.outlet.writeBatch(batch);
  }

  /** Sends `joined`, then everything held behind it, and goes live. */
  goLive(joined: string): void {
    const held = this.held ?? [];
    this.held = null;
    if (this.detached) return;
    this.outlet.writeAllowed(joined);
    for (const data of held) this.write(data);
  }

  /** Direct replies (acks, errors, history) bypass the hold: they answer this connection's own frames. */
  write(data: string | Buffer): void {
    if (!this.detached) this.outlet.write(data);
  }

  /** Closes the whole connection: a seat is one room's view of it. */
  close(code: number, reason: string): void {
    this.outlet.close(code, reason);
  }

  removed(removal: Removal): void {
    if (!this.detached) this.hooks.removed(removal);
  }

  renamedBy(name: string): void {
    if (!this.detached) this.hooks.renamedBy(name);
  }

  /** The seat left its room, or the socket is gone: nothing more is written through it. */
  detach(): void {
    this.detached = true;
    this.held = null;
  }
}
