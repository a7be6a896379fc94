import type { ServerFrame } from "@chatroom/protocol";
import { loadOutbox, saveOutbox } from "../persistence/room-persistence";
import type { ClientStorage } from "../persistence/storage";
import { routeFrame } from "../room/frame-router";
import type { Backoff } from "../transport/backoff";
import { Connection, type ConnectionTimers, type SocketFactory, type Wakeups } from "../transport/connection";
import { Outbox } from "./outbox";

export interface OutboxFlushOptions {
  room: string;
  /** The room's URL with the tab's session and the room's `since`, so the server dedupes the resends. */
  url: string;
  storage: ClientStorage;
  createSocket: SocketFactory;
  timers: ConnectionTimers;
  backoff?: Backoff;
  /**
   * The tab's "try again now" and "the network is gone" signals, as the room's own connection
   * has: without them a flush sat out its backoff after the network came back, and its deadline
   * could pass first.
   */
  wakeups?: Wakeups;
  linkLost?: Wakeups;
  /** How long the flush may take in all, reconnects included; what is left waits for the user's return. */
  deadlineMs: number;
  retryAfterFallbackMs: number;
  /** Called whenever the unsent count changes or the flush ends. */
  onChange: () => void;
}

/**
 * Delivers the outbox of a room the user left: a short-lived connection of its own (same session,
 * same `since`), which resends every unsent entry with its `clientMsgId`, waits for the acks and
 * closes, within a deadline. The room's stored snapshot is the hand-off: the flush reads the outbox
 * from it and writes back what is left, so the room's own client, on the user's return, finds it
 * there (it stops the flush first). It renders nothing and keeps no log. Retries and refusals
 * follow the same `Outbox` rules as the room itself.
 */
export class OutboxFlush {
  private readonly outbox: Outbox;
  private readonly connection: Connection;
  private deadlineTimer: unknown;
  private welcomed = false;
  private done = false;

  constructor(private readonly options: OutboxFlushOptions) {
    this.outbox = new Outbox({
      timers: options.timers,
      restored: loadOutbox(options.storage, options.room),
      send: (frame) => this.welcomed && this.connection.send(frame),
      // The flush's own deadline bounds every send; there is no one to show "no answer" to.
      ackTimeoutMs: null,
      retryAfterFallbackMs: options.retryAfterFallbackMs,
    });
    this.connection = new Connection({
      url: () => options.url,
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.wakeups ? { wakeups: options.wakeups } : {}),
      ...(options.linkLost ? { linkLost: options.linkLost } : {}),
      onFrame: (frame) => this.onFrame(frame),
    });
    this.connection.subscribe(() => {
      if (this.connection.getState().status !== "open") {
        this.welcomed = false;
        this.outbox.linkLost();
      }
      if (this.connection.getState().status === "closed") this.finish();
    });
  }

  get room(): string {
    return this.options.room;
  }

  /** Entries not yet known to be stored. */
  get unsent(): number {
    return this.outbox.unsentCount;
  }

  get finished(): boolean {
    return this.done;
  }

  start(): void {
    if (this.unsent === 0) {
      this.finish();
      return;
    }
    this.deadlineTimer = this.options.timers.setTimeout(() => this.finish(), this.options.deadlineMs);
    this.connection.start();
  }

  /** Ends the flush now (e.g. the user came back to the room); what is unsent stays in storage. */
  stop(): void {
    this.finish();
  }

  private onFrame(frame: ServerFrame): void {
    if (this.done) return;
    // The log, members and typing of a room nobody looks at are of no use here.
    routeFrame(frame, {
      welcome: () => {
        this.welcomed = true;
        this.outbox.transmitQueued();
      },
      // No log here waits for the echo: stored means done.
      ack: (ack) => this.outbox.acked(ack, true) && this.settled(),
      error: (error) => this.outbox.answered(error) === "refused" && this.settled(),
    });
  }

  /** Acked (gone from the outbox) or refused (kept as failed, for the user to see). */
  private settled(): void {
    this.save();
    if (this.unsent === 0) this.finish();
    else this.options.onChange();
  }

  private save(): void {
    saveOutbox(this.options.storage, this.options.room, this.outbox.view());
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.options.timers.clearTimeout(this.deadlineTimer);
    this.outbox.dispose();
    this.connection.stop();
    this.save();
    this.options.onChange();
  }
}
