import type { ServerFrame, ServerFrameOf } from "@chatroom/protocol";
import type { Backoff } from "./backoff";
import { Connection, type ConnectionTimers, type SocketFactory } from "./connection";
import { isUnsent, type OutboxEntry, requeueUnanswered } from "./outbox";
import type { ClientStorage } from "./storage";

export interface OutboxFlushOptions {
  room: string;
  /** The room's URL with the tab's session and the room's `since`, so the server dedupes the resends. */
  url: string;
  storage: ClientStorage;
  createSocket: SocketFactory;
  timers: ConnectionTimers;
  backoff?: Backoff;
  /** How long the flush may take in all, reconnects included; what is left waits for the user's return. */
  deadlineMs: number;
  /** Called whenever the unsent count changes or the flush ends. */
  onChange: () => void;
}

/**
 * Delivers the outbox of a room the user left: a short-lived connection of its own (same session,
 * same `since`), which resends every unsent entry with its `clientMsgId`, waits for the acks and
 * closes, within a deadline. The room's stored snapshot is the hand-off: the flush reads the outbox
 * from it and writes back what is left, so the room's own client, on the user's return, finds it
 * there (it stops the flush first). It renders nothing and keeps no log.
 */
export class OutboxFlush {
  private entries: OutboxEntry[];
  private readonly connection: Connection;
  private readonly retryTimers = new Set<unknown>();
  private deadlineTimer: unknown;
  private welcomed = false;
  private done = false;

  constructor(private readonly options: OutboxFlushOptions) {
    this.entries = options.storage.loadRoom(options.room).outbox.map((entry) => {
      const copy = { ...entry, sentAt: 0 };
      requeueUnanswered(copy);
      return copy;
    });
    this.connection = new Connection({
      url: () => options.url,
      createSocket: options.createSocket,
      timers: options.timers,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      onFrame: (frame) => this.onFrame(frame),
    });
    this.connection.subscribe(() => {
      if (this.connection.getState().status !== "open") this.welcomed = false;
      if (this.connection.getState().status === "closed") this.finish();
    });
  }

  get room(): string {
    return this.options.room;
  }

  /** Entries not yet known to be stored. */
  get unsent(): number {
    return this.entries.filter(isUnsent).length;
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
    switch (frame.type) {
      case "welcome":
        this.welcomed = true;
        for (const entry of this.entries) this.transmit(entry);
        break;
      case "ack":
        this.settle(frame.clientMsgId, null);
        break;
      case "error": {
        const entry = this.entries.find((candidate) => candidate.clientMsgId === frame.clientMsgId);
        if (!entry) break;
        if (frame.code === "rate_limited" || frame.code === "server_error") this.retryLater(entry, frame.retryAfterMs ?? 1_000);
        else this.settle(entry.clientMsgId, frame);
        break;
      }
      default:
        // The log, members and typing of a room nobody looks at are of no use here.
        break;
    }
  }

  private transmit(entry: OutboxEntry): void {
    if (!this.welcomed || entry.status !== "pending") return;
    this.connection.send({ type: "chat", text: entry.text, clientMsgId: entry.clientMsgId });
  }

  private retryLater(entry: OutboxEntry, delayMs: number): void {
    const handle = this.options.timers.setTimeout(() => {
      this.retryTimers.delete(handle);
      this.transmit(entry);
    }, delayMs);
    this.retryTimers.add(handle);
  }

  /** Acked (`refusal` null): stored, so it leaves the outbox. Refused: it stays as failed, for the user to see. */
  private settle(clientMsgId: string, refusal: ServerFrameOf<"error"> | null): void {
    const entry = this.entries.find((candidate) => candidate.clientMsgId === clientMsgId);
    if (entry?.status !== "pending") return;
    if (refusal === null) this.entries = this.entries.filter((candidate) => candidate !== entry);
    else {
      entry.status = "failed";
      entry.failure = refusal.message;
      entry.failureCode = refusal.code;
    }
    this.save();
    if (this.unsent === 0) this.finish();
    else this.options.onChange();
  }

  private save(): void {
    const { storage, room } = this.options;
    storage.saveRoom(room, { ...storage.loadRoom(room), outbox: this.entries });
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    const { timers } = this.options;
    timers.clearTimeout(this.deadlineTimer);
    for (const handle of this.retryTimers) timers.clearTimeout(handle);
    this.retryTimers.clear();
    this.connection.stop();
    this.save();
    this.options.onChange();
  }
}
