import { CLOSE_CODES, type ConnectQuery, type ErrorCode, errorCodeFor } from "@chatroom/protocol";
import { errorFrame } from "../frames";
import type { ConnectionHandle, Peer } from "../ports";
import { Budgets } from "./budgets";
import { handleFrame, type SeatContext } from "./handlers";
import { type JoinServices, joinRoom } from "./join";

export interface ConnectionServices extends JoinServices {
  /** The connection is gone: the hub stops counting it. */
  forget(connection: ChatConnection): void;
}

type State =
  | { kind: "joining"; inbox: string[] }
  | { kind: "welcoming"; context: SeatContext; inbox: string[] }
  | { kind: "live"; context: SeatContext }
  | { kind: "closed" };

/**
 * One client connection, from query to close: joining → welcoming → live → closed. Frames that
 * arrive before the welcome wait for it (a bounded inbox); afterwards each is decoded and handed
 * to its handler. A client's mistake gets an error frame; nothing a client sends can throw out of
 * here.
 */
export class ChatConnection implements ConnectionHandle {
  private state: State = { kind: "joining", inbox: [] };

  constructor(
    private readonly services: ConnectionServices,
    private readonly peer: Peer,
  ) {}

  /** Called for every text frame, in arrival order. Frames before the welcome wait for it. */
  receive(text: string): void {
    const state = this.state;
    if (state.kind === "live") this.dispatch(state.context, text);
    else if (state.kind !== "closed") {
      if (state.inbox.length >= this.services.deps.limits.maxEarlyFrames) {
        this.close(CLOSE_CODES.rateLimitAbuse.code, "too many frames before the welcome");
      } else state.inbox.push(text);
    }
  }

  receiveBinary(): void {
    this.close(CLOSE_CODES.binaryFrame.code, CLOSE_CODES.binaryFrame.reason);
  }

  /** The transport reports that the socket is gone. */
  closed(): void {
    const state = this.state;
    this.state = { kind: "closed" };
    this.services.forget(this);
    if (state.kind === "live" || state.kind === "welcoming") {
      state.context.seat.detach();
      state.context.room.release(state.context.seat);
    }
  }

  close(code: number, reason: string): void {
    const state = this.state;
    if (state.kind === "live" || state.kind === "welcoming") state.context.seat.close(code, reason);
    else if (state.kind === "joining") this.peer.close(code, reason);
  }

  /** Sends an error frame and closes, for failures before or outside the room. */
  fail(code: ErrorCode, message: string, closeCode: number): void {
    this.peer.send(errorFrame(code, message));
    this.peer.close(closeCode, message.slice(0, 100));
  }

  async join(query: ConnectQuery): Promise<void> {
    try {
      const { limits, timers } = this.services.deps;
      const live = await joinRoom(this.services, query, {
        peer: this.peer,
        budgets: new Budgets(limits, timers.now()),
        isOpen: () => this.state.kind !== "closed",
        seated: (context) => {
          if (this.state.kind === "joining") this.state = { kind: "welcoming", context, inbox: this.state.inbox };
        },
      });
      const state = this.state;
      if (!live || state.kind !== "welcoming") return;
      this.state = { kind: "live", context: live };
      // Frames the client sent before its welcome are answered after it, in the order sent.
      for (const text of state.inbox) this.receive(text);
    } catch (error) {
      this.services.deps.logger.error({ err: error }, "join failed");
      if (this.state.kind === "closed") return;
      this.fail("server_error", "could not join the room, retry later", CLOSE_CODES.internalError.code);
    }
  }

  private dispatch(context: SeatContext, text: string): void {
    const { deps } = this.services;
    const decoded = deps.codec.decode(text);
    if (!decoded.ok) {
      const { error } = decoded;
      deps.metrics.badFrame(error.reason);
      const extra = error.clientMsgId === undefined ? {} : { clientMsgId: error.clientMsgId };
      context.seat.write(errorFrame(errorCodeFor(error), error.message, extra));
      if (context.budgets.badFrameTooOften(deps.timers.now())) context.seat.close(CLOSE_CODES.badRequest.code, "too many bad frames");
      return;
    }
    deps.metrics.frameIn(decoded.frame.type);
    handleFrame(context, decoded.frame).catch((error: unknown) => {
      deps.logger.error({ err: error, type: decoded.frame.type }, "frame handler failed");
      context.seat.write(errorFrame("server_error", "the server could not handle that frame"));
    });
  }
}
