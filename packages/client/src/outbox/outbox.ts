import type { ServerFrameOf } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";
import {
  answerToError,
  frameOf,
  isUnsent,
  newClientMsgId,
  type OutboxChange,
  type OutboxEntry,
  type OutboxFrame,
  type OutboxMessage,
  type OutboxState,
  toEntry,
} from "./outbox-entry";

export {
  answerToError,
  isUnsent,
  newClientMsgId,
  type OutboxChange,
  type OutboxEntry,
  type OutboxKind,
  type OutboxMessage,
  type OutboxState,
  type OutboxStatus,
} from "./outbox-entry";
export { fromStored } from "./stored-outbox";

export interface OutboxOptions {
  timers: ConnectionTimers;
  /**
   * Hands an entry's frame to the room's link if it can take it now (open, joined, nothing to
   * verify first); false leaves the entry queued for the room's next `joined`.
   */
  send: (frame: OutboxFrame) => boolean;
  /** Unacked sends turn `unanswered` after this long; null for no ack timeout. */
  ackTimeoutMs: number | null;
  /** When a `rate_limited`/`server_error` answer names no `retryAfterMs`. */
  retryAfterFallbackMs: number;
  /** Sends went unanswered: the link may be dead although the socket looks open. */
  onUnanswered?: () => void;
  /** Entries restored from storage (see `fromStored`). */
  restored?: readonly OutboxMessage[];
}

/** What an `error` frame meant for the outbox. */
export type ErrorOutcome = "not-ours" | "ignored" | "retrying" | "refused";

/**
 * What the user sent (chats, edits, deletes, reactions) that is not yet known to be in the log:
 * their states, the transitions between them, retries after `rate_limited`/`server_error`, and the
 * ack timeout. Each room session has one; every room's outbox drains on the tab's one socket.
 */
export class Outbox {
  private messages: OutboxMessage[];
  private readonly retryTimers = new Map<string, unknown>();
  private ackTimer: unknown = null;
  /** The entries as shown, rebuilt only after a change so an unrelated frame reuses the same array. */
  private cachedView: OutboxEntry[] | null = null;

  constructor(private readonly options: OutboxOptions) {
    this.messages = [...(options.restored ?? [])];
  }

  get entries(): readonly OutboxMessage[] {
    return this.messages;
  }

  get unsentCount(): number {
    return this.messages.filter(isUnsent).length;
  }

  /** The entries as the UI shows them and storage keeps them. */
  view(): OutboxEntry[] {
    this.cachedView ??= this.messages.map(toEntry);
    return this.cachedView;
  }

  find(clientMsgId: string): OutboxMessage | undefined {
    return this.messages.find((message) => message.clientMsgId === clientMsgId);
  }

  /** Queues a new entry and sends it if the link can take it. */
  add(change: OutboxChange): OutboxMessage {
    const message: OutboxMessage = {
      ...change,
      clientMsgId: newClientMsgId(),
      createdAt: this.options.timers.now(),
      state: { kind: "queued" },
    };
    this.messages.push(message);
    this.changed();
    this.transmit(message.clientMsgId);
    return message;
  }

  /** Sends every queued entry, e.g. on the room's `joined`. */
  transmitQueued(): void {
    for (const message of [...this.messages]) if (message.state.kind === "queued") this.transmit(message.clientMsgId);
  }

  /**
   * Sends one entry that still waits for the server (queued, or in flight and asked to retry).
   * A resend keeps its first `sentAt`, so a message the server keeps turning away still times out.
   */
  transmit(clientMsgId: string): void {
    const message = this.find(clientMsgId);
    if (!message || (message.state.kind !== "queued" && message.state.kind !== "in-flight")) return;
    if (!this.options.send(frameOf(message))) return;
    if (message.state.kind === "queued") this.replace(message, { kind: "in-flight", sentAt: this.options.timers.now() });
    this.scheduleAckCheck();
  }

  /**
   * The server stored it as `seq` (a reaction that changed nothing: the room's latest seq then).
   * It leaves at once if the log already covers `seq`: its echo is in, or its change is applied.
   */
  acked(frame: ServerFrameOf<"ack">, covered: boolean): boolean {
    const message = this.find(frame.clientMsgId);
    if (!message) return false;
    this.cancelRetry(message.clientMsgId);
    if (covered) this.remove(message.clientMsgId);
    else this.replace(message, { kind: "acked", seq: frame.seq });
    return true;
  }

  /**
   * The log grew: acked entries it is past now (their seq covered, or below all it covers) are
   * settled, whether their echo came live, in a page, or was lost with a link. Returns whether any left.
   */
  settle(covers: (seq: number) => boolean): boolean {
    const kept = this.messages.filter((message) => message.state.kind !== "acked" || !covers(message.state.seq));
    if (kept.length === this.messages.length) return false;
    this.messages = kept;
    this.changed();
    return true;
  }

  /** An `error` naming one of our sends: retry it later or mark it refused, per `answerToError`. */
  answered(frame: ServerFrameOf<"error">): ErrorOutcome {
    const message = frame.clientMsgId ? this.find(frame.clientMsgId) : undefined;
    if (!message) return "not-ours";
    if (message.state.kind !== "queued" && message.state.kind !== "in-flight") return "ignored";
    if (answerToError(frame.code) === "retry") {
      // Slow mode is a wait the room asked for, not a server in trouble: it is queued until then,
      // so the ack timeout (which a server that keeps failing runs into) does not count it.
      if (frame.code === "slow_mode") this.replace(message, { kind: "queued" });
      this.scheduleRetry(message.clientMsgId, frame.retryAfterMs ?? this.options.retryAfterFallbackMs);
      return "retrying";
    }
    this.replace(message, { kind: "refused", failure: frame.message, failureCode: frame.code });
    return "refused";
  }

  /** The user asks to send a failed entry again. */
  retry(clientMsgId: string): boolean {
    const message = this.find(clientMsgId);
    if (message?.state.kind !== "refused" && message?.state.kind !== "unanswered") return false;
    this.replace(message, { kind: "queued" });
    this.transmit(clientMsgId);
    return true;
  }

  /** The user gives up on an entry, or its own echo (a chat, or a change event) reached the log. */
  remove(clientMsgId: string): void {
    const before = this.messages.length;
    this.cancelRetry(clientMsgId);
    this.messages = this.messages.filter((message) => message.clientMsgId !== clientMsgId);
    if (this.messages.length !== before) this.changed();
  }

  /**
   * The link is gone: whatever was in flight is answered on the next one or not at all, so sends
   * that may never have reached the server (in flight or unanswered) are queued for the next `joined`.
   */
  linkLost(): void {
    for (const id of [...this.retryTimers.keys()]) this.cancelRetry(id);
    for (const message of this.messages) {
      if (message.state.kind === "in-flight" || message.state.kind === "unanswered") this.replace(message, { kind: "queued" });
    }
    this.scheduleAckCheck();
  }

  /** The server's store was reset: what it acked may be lost, so acked entries go out again. */
  storeReset(): void {
    for (const message of this.messages) if (message.state.kind === "acked") this.replace(message, { kind: "queued" });
  }

  /** Cancels every timer; the entries stay as they are. */
  dispose(): void {
    for (const id of [...this.retryTimers.keys()]) this.cancelRetry(id);
    this.options.timers.clearTimeout(this.ackTimer);
    this.ackTimer = null;
  }

  private scheduleRetry(clientMsgId: string, delayMs: number): void {
    if (this.retryTimers.has(clientMsgId)) return;
    const handle = this.options.timers.setTimeout(() => {
      this.retryTimers.delete(clientMsgId);
      this.transmit(clientMsgId);
    }, delayMs);
    this.retryTimers.set(clientMsgId, handle);
  }

  private cancelRetry(clientMsgId: string): void {
    if (!this.retryTimers.has(clientMsgId)) return;
    this.options.timers.clearTimeout(this.retryTimers.get(clientMsgId));
    this.retryTimers.delete(clientMsgId);
  }

  /** Wakes up when the oldest in-flight send reaches the ack timeout. */
  private scheduleAckCheck(): void {
    const { timers, ackTimeoutMs: timeout } = this.options;
    if (timeout === null) return;
    timers.clearTimeout(this.ackTimer);
    this.ackTimer = null;
    const sentAts = this.messages.flatMap((message) => (message.state.kind === "in-flight" ? [message.state.sentAt] : []));
    if (sentAts.length === 0) return;
    const due = Math.min(...sentAts) + timeout;
    this.ackTimer = timers.setTimeout(
      () => {
        this.ackTimer = null;
        const now = timers.now();
        let timedOut = false;
        for (const message of this.messages) {
          if (message.state.kind === "in-flight" && now - message.state.sentAt >= timeout) {
            this.replace(message, { kind: "unanswered" });
            this.cancelRetry(message.clientMsgId);
            timedOut = true;
          }
        }
        this.scheduleAckCheck();
        if (timedOut) this.options.onUnanswered?.();
      },
      Math.max(0, due - timers.now()),
    );
  }

  private replace(message: OutboxMessage, state: OutboxState): void {
    this.messages = this.messages.map((candidate) => (candidate === message ? { ...message, state } : candidate));
    this.changed();
  }

  private changed(): void {
    this.cachedView = null;
  }
}
