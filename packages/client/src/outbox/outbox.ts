import type { ErrorCode, ServerFrameOf } from "@chatroom/protocol";
import type { RoomFrame } from "../room/room-link";
import type { ConnectionTimers } from "../transport/connection";

/**
 * Where one message of the outbox stands. Only the `Outbox` moves an entry from one state to
 * the next, and each state carries exactly what it needs:
 * - `queued`: not on the wire; goes out as soon as the room's link can take it (its `joined` arrived).
 * - `in-flight`: handed to an open socket at `sentAt` (the first attempt on this link), no answer yet.
 * - `acked`: stored as `seq`; kept until its own chat echo is in the log.
 * - `unanswered`: no ack within the ack timeout. It may well be stored: it goes out again, with
 *   the same `clientMsgId`, when the link drops and comes back (the server dedupes by that id).
 * - `refused`: the server said no; it stays for the user to retry or discard.
 */
export type OutboxState =
  | { kind: "queued" }
  | { kind: "in-flight"; sentAt: number }
  | { kind: "acked"; seq: number }
  | { kind: "unanswered" }
  | { kind: "refused"; failure: string; failureCode?: ErrorCode };

export interface OutboxMessage {
  readonly clientMsgId: string;
  readonly text: string;
  readonly createdAt: number;
  readonly state: OutboxState;
}

/**
 * How an outbox entry is shown and stored: the UI reads `status` (and `unanswered`, to say
 * "checking the connection" rather than "failed"), and storage keeps the same shape.
 */
export interface OutboxEntry {
  clientMsgId: string;
  text: string;
  status: "pending" | "sent" | "failed";
  createdAt: number;
  /** Set once acked: the entry stays until its own chat echo is in the log. */
  seq?: number;
  failure?: string;
  /** The server's error code when it refused the message, so a UI can say why in its own language. */
  failureCode?: ErrorCode;
  /** A `failed` entry that only went unanswered: it is sent again on the next link. */
  unanswered?: boolean;
}

export type OutboxStatus = OutboxEntry["status"];

/**
 * The one retry and refusal policy. `rate_limited` and `server_error` mean "not stored, but not
 * refused either": the same id goes out again once the server is ready for it. Anything else is a
 * refusal the user has to see.
 */
export function answerToError(code: ErrorCode): "retry" | "refuse" {
  return code === "rate_limited" || code === "server_error" ? "retry" : "refuse";
}

/** Not known to be stored, and not refused: it still has to go out. */
export function isUnsent(message: OutboxMessage): boolean {
  const { kind } = message.state;
  return kind === "queued" || kind === "in-flight" || kind === "unanswered";
}

export function newClientMsgId(random: () => number = Math.random): string {
  let id = Date.now().toString(36);
  for (let i = 0; i < 12; i++) id += Math.floor(random() * 36).toString(36);
  return id;
}

export interface OutboxOptions {
  timers: ConnectionTimers;
  /**
   * Hands a chat frame to the room's link if it can take it now (open, joined, nothing to verify
   * first); false leaves the entry queued for the room's next `joined`.
   */
  send: (frame: Extract<RoomFrame, { type: "chat" }>) => boolean;
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
 * The messages the user sent that are not yet known to be in the log: their states, the
 * transitions between them, retries after `rate_limited`/`server_error`, and the ack timeout.
 * Each room session has one; every room's outbox drains on the tab's one socket.
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

  /** Queues a new message and sends it if the link can take it. */
  add(text: string): OutboxMessage {
    const message: OutboxMessage = { clientMsgId: newClientMsgId(), text, createdAt: this.options.timers.now(), state: { kind: "queued" } };
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
    if (!this.options.send({ type: "chat", text: message.text, clientMsgId })) return;
    if (message.state.kind === "queued") this.replace(message, { kind: "in-flight", sentAt: this.options.timers.now() });
    this.scheduleAckCheck();
  }

  /** The server stored it as `seq`. It leaves at once if its echo is already held (or nobody waits for one). */
  acked(frame: ServerFrameOf<"ack">, echoHeld: boolean): boolean {
    const message = this.find(frame.clientMsgId);
    if (!message) return false;
    this.cancelRetry(message.clientMsgId);
    if (echoHeld) this.remove(message.clientMsgId);
    else this.replace(message, { kind: "acked", seq: frame.seq });
    return true;
  }

  /** An `error` naming one of our sends: retry it later or mark it refused, per `answerToError`. */
  answered(frame: ServerFrameOf<"error">): ErrorOutcome {
    const message = frame.clientMsgId ? this.find(frame.clientMsgId) : undefined;
    if (!message) return "not-ours";
    if (message.state.kind !== "queued" && message.state.kind !== "in-flight") return "ignored";
    if (answerToError(frame.code) === "retry") {
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

  /** The user gives up on an entry, or its own echo reached the log. */
  remove(clientMsgId: string): void {
    const before = this.messages.length;
    this.cancelRetry(clientMsgId);
    this.messages = this.messages.filter((message) => message.clientMsgId !== clientMsgId);
    if (this.messages.length !== before) this.changed();
  }

  /** Acked entries whose echo we may have missed are in the store up to `latestSeq`: the log has them or is newer. */
  dropAckedThrough(latestSeq: number): void {
    const kept = this.messages.filter((message) => message.state.kind !== "acked" || message.state.seq > latestSeq);
    if (kept.length === this.messages.length) return;
    this.messages = kept;
    this.changed();
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

/** The shown and stored form of one entry. */
function toEntry(message: OutboxMessage): OutboxEntry {
  const base = { clientMsgId: message.clientMsgId, text: message.text, createdAt: message.createdAt };
  const { state } = message;
  switch (state.kind) {
    case "queued":
    case "in-flight":
      return { ...base, status: "pending" };
    case "acked":
      return { ...base, status: "sent", seq: state.seq };
    case "unanswered":
      return { ...base, status: "failed", failure: "No answer from the server.", unanswered: true };
    case "refused":
      return { ...base, status: "failed", failure: state.failure, ...(state.failureCode ? { failureCode: state.failureCode } : {}) };
  }
}

/**
 * Entries read back from storage. Nothing is on the wire after a reload: what was in flight or
 * unanswered is queued again (the server dedupes the resend by its id). Storage is outside this
 * code's control (another version, a hand edit), so an entry that is not one this client wrote is
 * skipped rather than allowed to stop the page from starting, and an entry marked sent without
 * its seq is dropped, as before, rather than sent again.
 */
export function fromStored(entries: readonly unknown[]): OutboxMessage[] {
  const restored: OutboxMessage[] = [];
  for (const value of entries) {
    if (!isStoredEntry(value)) continue;
    const entry = value;
    const base = { clientMsgId: entry.clientMsgId, text: entry.text, createdAt: entry.createdAt };
    if (entry.status === "sent") {
      if (typeof entry.seq === "number") restored.push({ ...base, state: { kind: "acked", seq: entry.seq } });
    } else if (entry.status === "failed" && !entry.unanswered) {
      const failure = entry.failure ?? "";
      restored.push({ ...base, state: { kind: "refused", failure, ...(entry.failureCode ? { failureCode: entry.failureCode } : {}) } });
    } else {
      restored.push({ ...base, state: { kind: "queued" } });
    }
  }
  return restored;
}

function isStoredEntry(value: unknown): value is OutboxEntry {
  if (typeof value !== "object" || value === null) return false;
  const entry = value as Partial<Record<keyof OutboxEntry, unknown>>;
  return (
    typeof entry.clientMsgId === "string" &&
    typeof entry.text === "string" &&
    typeof entry.createdAt === "number" &&
    (entry.status === "pending" || entry.status === "sent" || entry.status === "failed")
  );
}
