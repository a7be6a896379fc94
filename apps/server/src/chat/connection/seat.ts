import { CLOSE_CODES } from "@chatroom/protocol";
import type { OutboundBatch, Peer, RoomSeat } from "../ports";

export interface SeatOptions {
  peer: Peer;
  userId: string;
  /** A send buffer past this (beyond the welcome's allowance) closes the connection as too slow. */
  slowConsumerBytes: number;
}

/**
 * A connection's seat in one room: the room's way to the client. Frames fanned out while the
 * welcome is being built are held and sent right after it, so the welcome and the live stream
 * meet with no gap and no overlap.
 */
export class Seat implements RoomSeat {
  readonly userId: string;
  private readonly peer: Peer;
  private readonly slowConsumerBytes: number;
  /** Null once live. */
  private held: Array<string | Buffer> | null = [];
  /**
   * Bytes allowed in the send buffer on top of `slowConsumerBytes` until it first drains below
   * the bound: a resume's welcome alone may be bigger than the bound, and a client that is slow
   * to read it must not be closed for it (it would resume into the same welcome, forever).
   */
  private welcomeAllowance = 0;
  private closed = false;

  constructor(options: SeatOptions) {
    this.peer = options.peer;
    this.userId = options.userId;
    this.slowConsumerBytes = options.slowConsumerBytes;
  }

  /** Fan-out path: one write, or a hold while the welcome is in flight. */
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
    if (this.closed) return;
    if (this.peer.sendBatch) this.peer.sendBatch(batch);
    else for (const frame of batch.frames) this.peer.send(frame);
    this.checkBacklog();
  }

  /** Sends the welcome, then everything held behind it, and goes live. */
  goLive(welcome: string): void {
    const held = this.held ?? [];
    this.held = null;
    this.welcomeAllowance = Buffer.byteLength(welcome);
    this.write(welcome);
    for (const data of held) this.write(data);
  }

  /** Direct replies (acks, errors, history) bypass the hold: they answer this connection's own frames. */
  write(data: string | Buffer): void {
    if (this.closed) return;
    this.peer.send(data);
    this.checkBacklog();
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.peer.close(code, reason);
  }

  /** The socket is gone: nothing more is written. */
  detach(): void {
    this.closed = true;
  }

  private checkBacklog(): void {
    const buffered = this.peer.bufferedAmount;
    if (buffered <= this.slowConsumerBytes) this.welcomeAllowance = 0;
    else if (buffered > this.slowConsumerBytes + this.welcomeAllowance) this.close(CLOSE_CODES.tooSlow.code, CLOSE_CODES.tooSlow.reason);
  }
}
