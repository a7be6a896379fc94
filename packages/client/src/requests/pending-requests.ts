import type { ClientFrame, ErrorCode, ServerFrameOf } from "@chatroom/protocol";
import { newClientMsgId } from "../outbox/outbox";
import type { IncomingFrame } from "../room/frame-router";

/** Why a request came to nothing: the server's code, or `offline` when the link could not carry it or went before an answer. */
export class RequestError extends Error {
  constructor(
    readonly code: ErrorCode | "offline",
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

/** The frames that answer a request, each carrying the request's `clientMsgId`. */
export type RequestAnswer = ServerFrameOf<
  "created" | "invite-created" | "invite-revoked" | "reported" | "report-resolved" | "search-results"
>;
type AnswerType = RequestAnswer["type"];
type AnswerOf<T extends AnswerType> = Extract<RequestAnswer, { type: T }>;
/** The frame that answers each kind of request. */
interface AnswerFor {
  create: AnswerOf<"created">;
  invite: AnswerOf<"invite-created">;
  "revoke-invite": AnswerOf<"invite-revoked">;
  report: AnswerOf<"reported">;
  "resolve-report": AnswerOf<"report-resolved">;
  search: AnswerOf<"search-results">;
}

/** A request frame without its `clientMsgId`, which this part adds. */
type WithoutId<T> = T extends unknown ? Omit<T, "clientMsgId"> : never;
export type RequestFrame = WithoutId<
  Extract<ClientFrame, { type: "create" | "invite" | "revoke-invite" | "report" | "resolve-report" | "search" }>
>;

interface Pending {
  answer: AnswerType;
  resolve: (frame: RequestAnswer) => void;
  reject: (error: RequestError) => void;
}

const ANSWER_TO: Record<RequestFrame["type"], AnswerType> = {
  create: "created",
  invite: "invite-created",
  "revoke-invite": "invite-revoked",
  report: "reported",
  "resolve-report": "report-resolved",
  search: "search-results",
};

/**
 * Requests that are answered rather than stored in the log (create a room, make or revoke an
 * invite, report, resolve a report): each has its own `clientMsgId`, and resolves with the frame
 * that answers it, or rejects with the server's error code. Unlike the outbox they are not resent:
 * a link that goes before the answer rejects them (`offline`), and the page lets the user try again.
 */
export class PendingRequests {
  private readonly pending = new Map<string, Pending>();
  /** Requests answered lately: their acks, which follow the answer, are theirs too. */
  private readonly answered = new Set<string>();

  constructor(private readonly send: (frame: ClientFrame) => boolean) {}

  /** Sends `frame` with a new `clientMsgId`; resolves with its answer. */
  request<K extends RequestFrame["type"]>(frame: Extract<RequestFrame, { type: K }>): Promise<AnswerFor[K]> {
    const clientMsgId = newClientMsgId();
    return new Promise((resolve, reject) => {
      if (!this.send({ ...frame, clientMsgId } as ClientFrame)) {
        reject(new RequestError("offline", "not connected"));
        return;
      }
      this.pending.set(clientMsgId, {
        answer: ANSWER_TO[frame.type],
        resolve: resolve as (frame: RequestAnswer) => void,
        reject,
      });
    });
  }

  /**
   * Reads a frame before the rooms do. Returns true when it was only about a request (its error,
   * its ack): the answer frames themselves also go on to their room (an invite made shows in the
   * staff view).
   */
  receive(frame: IncomingFrame): boolean {
    if (!("clientMsgId" in frame) || typeof frame.clientMsgId !== "string") return false;
    const pending = this.pending.get(frame.clientMsgId);
    if (frame.type === "error") {
      if (!pending) return false;
      this.pending.delete(frame.clientMsgId);
      pending.reject(new RequestError(frame.code, frame.message));
      return true;
    }
    if (frame.type === "ack") return this.answered.has(frame.clientMsgId) || pending !== undefined;
    if (!pending || frame.type !== pending.answer) return false;
    this.pending.delete(frame.clientMsgId);
    this.remember(frame.clientMsgId);
    pending.resolve(frame as RequestAnswer);
    // `created` and `search-results` concern no joined room: nothing else reads them.
    return frame.type === "created" || frame.type === "search-results";
  }

  /** The link went: nothing in flight will be answered on it. */
  linkLost(): void {
    const pending = [...this.pending.values()];
    this.pending.clear();
    for (const request of pending) request.reject(new RequestError("offline", "the connection dropped before an answer"));
  }

  private remember(clientMsgId: string): void {
    this.answered.add(clientMsgId);
    if (this.answered.size > 100) this.answered.delete(this.answered.values().next().value as string);
  }
}
