import type { ClientFrameOf, ErrorCode } from "@chatroom/protocol";
import type { RoomFrame } from "../room/room-link";

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** A moderation action as the page asks for it: the `moderate` frame without its envelope. */
export type ModerateRequest = DistributiveOmit<ClientFrameOf<"moderate">, "type" | "room" | "clientMsgId">;

/**
 * What one outbox entry asks the server to do: post a chat (maybe as a reply), or change a chat
 * already in the room. Every kind is acked, deduplicated on its `clientMsgId` and resent the same
 * way; only what it carries differs.
 */
export type OutboxChange =
  | { kind: "chat"; text: string; replyTo?: number }
  | { kind: "edit"; target: number; text: string }
  | { kind: "delete"; target: number }
  | { kind: "react"; target: number; emoji: string; on: boolean }
  /** Staff's moderation: acked, deduplicated and resent exactly like a change. */
  | { kind: "moderate"; request: ModerateRequest };

export type OutboxKind = OutboxChange["kind"];

/** The client frames an outbox sends. */
export type OutboxFrame = Extract<RoomFrame, { type: "chat" | "edit" | "delete" | "react" | "moderate" }>;

/**
 * Where one entry of the outbox stands. Only the `Outbox` moves an entry from one state to the
 * next, and each state carries exactly what it needs:
 * - `queued`: not on the wire; goes out as soon as the room's link can take it (its `joined` arrived).
 * - `in-flight`: handed to an open socket at `sentAt` (the first attempt on this link), no answer yet.
 * - `acked`: stored as `seq`; kept until the log covers `seq` (a chat's echo, a change applied).
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

/** One entry: what it asks for, and where it stands. */
export type OutboxMessage = OutboxChange & {
  readonly clientMsgId: string;
  readonly createdAt: number;
  readonly state: OutboxState;
};

/**
 * How an outbox entry is shown and stored: the UI reads `status` (and `unanswered`, to say
 * "checking the connection" rather than "failed"), and storage keeps the same shape. A chat row
 * is as it was before changes existed, plus `kind: "chat"`; `text` is empty for a delete or a
 * reaction.
 */
export interface OutboxEntry {
  clientMsgId: string;
  kind: OutboxKind;
  /** A chat's or an edit's text; "" for a delete or a reaction. */
  text: string;
  status: "pending" | "sent" | "failed";
  createdAt: number;
  /** The chat an edit, delete or reaction is about. */
  target?: number;
  /** A reaction's emoji, and whether it sets (`true`) or clears it. */
  emoji?: string;
  on?: boolean;
  /** The chat a chat replies to. */
  replyTo?: number;
  /** Set once acked: the entry stays until the log covers it. */
  seq?: number;
  failure?: string;
  /** The server's error code when it refused the entry, so a UI can say why in its own language. */
  failureCode?: ErrorCode;
  /** A `failed` entry that only went unanswered: it is sent again on the next link. */
  unanswered?: boolean;
  /** A moderation action: what it asks for. */
  moderate?: ModerateRequest;
}

export type OutboxStatus = OutboxEntry["status"];

/**
 * The one retry and refusal policy. `rate_limited`, `server_error` and `slow_mode` mean "not
 * stored, but not refused either": the same id goes out again once the server is ready for it
 * (slow mode's `retryAfterMs` is when the room takes our next chat). Anything else (`too_long`,
 * `not_found`, `forbidden`, `muted`, `locked`, …) is a refusal the user has to see: a message held
 * back through a mute would arrive long after its moment.
 */
export function answerToError(code: ErrorCode): "retry" | "refuse" {
  return code === "rate_limited" || code === "server_error" || code === "slow_mode" ? "retry" : "refuse";
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

/** Only what the change is, without its place in the outbox. */
export function changeOf(message: OutboxMessage): OutboxChange {
  switch (message.kind) {
    case "chat":
      return { kind: "chat", text: message.text, ...(message.replyTo !== undefined ? { replyTo: message.replyTo } : {}) };
    case "edit":
      return { kind: "edit", target: message.target, text: message.text };
    case "delete":
      return { kind: "delete", target: message.target };
    case "react":
      return { kind: "react", target: message.target, emoji: message.emoji, on: message.on };
    case "moderate":
      return { kind: "moderate", request: message.request };
  }
}

/** The frame that sends `message` (every resend is the same frame: same `clientMsgId`). */
export function frameOf(message: OutboxMessage): OutboxFrame {
  const { clientMsgId } = message;
  switch (message.kind) {
    case "chat":
      return { type: "chat", text: message.text, clientMsgId, ...(message.replyTo !== undefined ? { replyTo: message.replyTo } : {}) };
    case "edit":
      return { type: "edit", target: message.target, text: message.text, clientMsgId };
    case "delete":
      return { type: "delete", target: message.target, clientMsgId };
    case "react":
      return { type: "react", target: message.target, emoji: message.emoji, on: message.on, clientMsgId };
    case "moderate":
      // Spreading a union loses its discriminant for the checker; every request plus the envelope is a moderate frame.
      return { type: "moderate", ...message.request, clientMsgId } as OutboxFrame;
  }
}

/** The shown and stored form of one entry. */
export function toEntry(message: OutboxMessage): OutboxEntry {
  const change = changeOf(message);
  const base: OutboxEntry = {
    clientMsgId: message.clientMsgId,
    kind: change.kind,
    text: change.kind === "chat" || change.kind === "edit" ? change.text : "",
    status: "pending",
    createdAt: message.createdAt,
    ...("target" in change ? { target: change.target } : {}),
    ...(change.kind === "react" ? { emoji: change.emoji, on: change.on } : {}),
    ...(change.kind === "chat" && change.replyTo !== undefined ? { replyTo: change.replyTo } : {}),
    ...(change.kind === "moderate" ? { moderate: change.request } : {}),
  };
  const { state } = message;
  switch (state.kind) {
    case "queued":
    case "in-flight":
      return base;
    case "acked":
      return { ...base, status: "sent", seq: state.seq };
    case "unanswered":
      return { ...base, status: "failed", failure: "No answer from the server.", unanswered: true };
    case "refused":
      return { ...base, status: "failed", failure: state.failure, ...(state.failureCode ? { failureCode: state.failureCode } : {}) };
  }
}
