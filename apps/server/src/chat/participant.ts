import type { User } from "@chatroom/protocol";
import type { ChatLimits } from "./limits";
import type { OutboundBatch, Peer } from "./peer";
import { TokenBucket, WindowCounter } from "./token-bucket";

const HISTORY_BURST = 20;
const HISTORY_PER_SECOND = 10;

/**
 * One connection's membership of one room. Frames fanned out while the welcome is being built
 * are held in `held` and sent right after it, so the welcome and the live stream meet with no
 * gap and no overlap.
 */
export class Participant {
  readonly chatBucket: TokenBucket;
  // The rest of the budgets are made on first use: most connections never page history or send
  // a bad frame, and an idle connection should cost as little as possible. A bucket made late is
  // the same as one made at join time, since it would have refilled to its burst by then (it is dated from the join all the same).
  private history: TokenBucket | null = null;
  private bad: WindowCounter | null = null;
  private flood: WindowCounter | null = null;
  lastTypingAt = Number.NEGATIVE_INFINITY;
  typing = false;
  /** Null once live. */
  private held: Array<string | Buffer> | null = [];
  /**
   * Bytes allowed in the send buffer on top of `slowConsumerBytes` until it first drains below
   * the bound: a resume's welcome alone may be bigger than the bound, and a client that is slow
   * to read it must not be closed for it (it would resume into the same welcome, forever).
   */
  private welcomeAllowance = 0;
  closed = false;

  constructor(
    readonly peer: Peer,
    readonly user: User,
    readonly session: string,
    readonly room: string,
    private readonly limits: ChatLimits,
    private readonly joinedAt: number,
  ) {
    this.chatBucket = new TokenBucket(limits.burst, limits.ratePerSecond, joinedAt);
  }

  /** History pages are cheap to ask for and costly to answer, so they have a budget of their own. */
  get historyBucket(): TokenBucket {
    this.history ??= new TokenBucket(HISTORY_BURST, HISTORY_PER_SECOND, this.joinedAt);
    return this.history;
  }

  get badFrames(): WindowCounter {
    this.bad ??= new WindowCounter(this.limits.badFrameLimit, this.limits.badFrameWindowMs);
    return this.bad;
  }

  get floods(): WindowCounter {
    this.flood ??= new WindowCounter(this.limits.floodCloseAfter, this.limits.badFrameWindowMs);
    return this.flood;
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

  private checkBacklog(): void {
    const buffered = this.peer.bufferedAmount;
    if (buffered <= this.limits.slowConsumerBytes) this.welcomeAllowance = 0;
    else if (buffered > this.limits.slowConsumerBytes + this.welcomeAllowance) this.close(4008, "too slow");
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.peer.close(code, reason);
  }
}
