import type { OutboundBatch, RoomSeat } from "../ports";

/**
 * Who is reached by the room's frames, and the frames of the current tick. A group commit
 * resolves many appends in one tick, so the frames of a tick go out together, in order, as one
 * write per recipient. The batch is flushed before the recipient set changes, so each frame
 * reaches exactly the seats that were here when it was fanned out.
 */
export class Broadcaster {
  private readonly seats: RoomSeat[] = [];
  private outbound: Buffer[] = [];

  get recipients(): readonly RoomSeat[] {
    return this.seats;
  }

  add(seat: RoomSeat): void {
    this.flush();
    this.seats.push(seat);
  }

  remove(seat: RoomSeat): void {
    this.flush();
    const index = this.seats.indexOf(seat);
    if (index < 0) return;
    this.seats[index] = this.seats[this.seats.length - 1] as RoomSeat;
    this.seats.pop();
  }

  /** Queues a frame for everyone here; the tick's frames go out in one batch per recipient. */
  broadcast(data: string | Buffer): void {
    if (this.outbound.length === 0) queueMicrotask(this.flush);
    this.outbound.push(typeof data === "string" ? Buffer.from(data) : data);
  }

  readonly flush = (): void => {
    if (this.outbound.length === 0) return;
    const batch: OutboundBatch = { frames: this.outbound };
    this.outbound = [];
    for (const seat of this.seats) seat.deliverBatch(batch);
  };

  /** Sends one frame now, after what is queued, to every seat `skip` does not exclude. */
  sendNow(data: string | Buffer, skip: (seat: RoomSeat) => boolean): void {
    this.flush();
    for (const seat of this.seats) if (!skip(seat)) seat.deliver(data);
  }

  /** Sends each seat its own batch (null: nothing for it), after what is queued. */
  sendEach(batchFor: (seat: RoomSeat) => OutboundBatch | null): void {
    this.flush();
    for (const seat of this.seats) {
      const batch = batchFor(seat);
      if (batch) seat.deliverBatch(batch);
    }
  }
}
