import { CLOSE_CODES } from "@chatroom/protocol";
import type { OutboundBatch, Peer } from "../ports";

export interface OutletOptions {
  peer: Peer;
  /** A send buffer past this (beyond the allowance for `joined` frames) closes the connection as too slow. */
  slowConsumerBytes: number;
}

/**
 * One connection's way out: every write of every room it has joined goes through here, so the
 * slow-consumer bound applies to the socket's one send buffer, not to each room on its own.
 */
export class Outlet {
  private readonly peer: Peer;
  private readonly slowConsumerBytes: number;
  /**
   * Bytes allowed in the send buffer on top of `slowConsumerBytes` until it first drains below
   * the bound: a resume's `joined` frames alone may be bigger than the bound, and a client that
   * is slow to read them must not be closed for it (it would resume into the same frames, forever).
   */
  private allowance = 0;
  private closed = false;

  constructor(options: OutletOptions) {
    this.peer = options.peer;
    this.slowConsumerBytes = options.slowConsumerBytes;
  }

  /** False once the connection is closing or gone: nothing more is written. */
  get isOpen(): boolean {
    return !this.closed;
  }

  write(data: string | Buffer): void {
    if (this.closed) return;
    this.peer.send(data);
    this.checkBacklog();
  }

  /** A room's batch: one transport call for all its frames. */
  writeBatch(batch: OutboundBatch): void {
    if (this.closed) return;
    if (this.peer.sendBatch) this.peer.sendBatch(batch);
    else for (const frame of batch.frames) this.peer.send(frame);
    this.checkBacklog();
  }

  /** Writes a big catch-up frame (a `joined`), which may sit in the buffer on top of the bound for a while. */
  writeAllowed(data: string): void {
    if (this.closed) return;
    this.allowance += Buffer.byteLength(data);
    this.write(data);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.peer.close(code, reason);
  }

  /** Sends an error frame, then closes: for a failure that ends the connection. */
  fail(errorFrame: string, code: number, reason: string): void {
    this.write(errorFrame);
    this.close(code, reason);
  }

  /** The socket is gone: nothing more is written. */
  detach(): void {
    this.closed = true;
  }

  private checkBacklog(): void {
    const buffered = this.peer.bufferedAmount;
    if (buffered <= this.slowConsumerBytes) this.allowance = 0;
    else if (buffered > this.slowConsumerBytes + this.allowance) this.close(CLOSE_CODES.tooSlow.code, CLOSE_CODES.tooSlow.reason);
  }
}
