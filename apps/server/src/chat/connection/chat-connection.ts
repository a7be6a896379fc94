import { CLOSE_CODES, type ClientFrameOf, type ErrorCode, errorCodeFor, PROTOCOL_VERSION } from "@chatroom/protocol";
import { addressHash } from "../../security/secrets";
import { errorFrame } from "../frames";
import type { ConnectionHandle, Peer } from "../ports";
import { Budgets } from "./budgets";
import type { ChatServices } from "./context";
import { FrameRouter } from "./frame-router";
import { greet } from "./hello";
import { Outlet } from "./outlet";

export interface ConnectionServices extends ChatServices {
  /** The connection is ready under `session`: an older connection of the same session is replaced. */
  claimSession(session: string, connection: ChatConnection): void;
  /** The connection is gone: the hub stops counting it. */
  forget(connection: ChatConnection): void;
}

type State =
  | { kind: "awaiting-hello"; timer: unknown }
  | { kind: "greeting"; inbox: string[] }
  | { kind: "ready"; router: FrameRouter }
  | { kind: "closed" };

/**
 * One client connection, from upgrade to close: awaiting-hello -> greeting (the hello being
 * resolved) -> ready -> closed. The first frame must be `hello`, within `helloTimeoutMs`; frames
 * that arrive while it is resolved wait for `ready` (a bounded inbox), then each goes to the
 * router. A client's mistake gets an error frame; nothing a client sends can throw out of here.
 */
export class ChatConnection implements ConnectionHandle {
  /** The session this connection speaks for, once ready. */
  session: string | undefined;
  private state: State;
  private readonly outlet: Outlet;
  /** HMAC of the peer's address (as admission counts it), for address bans. */
  private readonly addressHash: string;

  constructor(
    private readonly services: ConnectionServices,
    peer: Peer,
  ) {
    const { limits, timers } = services.deps;
    this.addressHash = addressHash(peer.remoteAddress, services.deps.addressSecret);
    this.outlet = new Outlet({ peer, slowConsumerBytes: limits.slowConsumerBytes });
    // No error frame: a client that says nothing is not listening for one.
    const timer = timers.setTimeout(
      () => this.close(CLOSE_CODES.helloTimeout.code, CLOSE_CODES.helloTimeout.reason),
      limits.helloTimeoutMs,
    );
    this.state = { kind: "awaiting-hello", timer };
  }

  /** Called for every text frame, in arrival order. */
  receive(text: string): void {
    if (!this.outlet.isOpen) return;
    const state = this.state;
    if (state.kind === "ready") state.router.receive(text);
    else if (state.kind === "greeting") {
      if (state.inbox.length >= this.services.deps.limits.maxEarlyFrames) {
        this.close(CLOSE_CODES.rateLimitAbuse.code, "too many frames before ready");
      } else state.inbox.push(text);
    } else if (state.kind === "awaiting-hello") this.hello(text);
  }

  receiveBinary(): void {
    this.close(CLOSE_CODES.binaryFrame.code, CLOSE_CODES.binaryFrame.reason);
  }

  /** The transport reports that the socket is gone. */
  closed(): void {
    const state = this.state;
    this.state = { kind: "closed" };
    this.outlet.detach();
    this.services.forget(this);
    if (state.kind === "awaiting-hello") this.services.deps.timers.clearTimeout(state.timer);
    else if (state.kind === "ready") state.router.release();
  }

  close(code: number, reason: string): void {
    this.outlet.close(code, reason);
  }

  /** Sends an error frame and closes, for failures outside any room. */
  fail(code: ErrorCode, message: string, closeCode: number): void {
    this.outlet.fail(errorFrame(code, message), closeCode, message.slice(0, 100));
  }

  private hello(text: string): void {
    const { deps } = this.services;
    if (this.state.kind === "awaiting-hello") deps.timers.clearTimeout(this.state.timer);
    const decoded = deps.codec.decode(text);
    if (!decoded.ok && decoded.error.reason === "name_refused") {
      // A hello whose name could pass for someone else's: say why, then close (the page asks for another name).
      deps.metrics.badFrame(decoded.error.reason);
      this.fail(errorCodeFor(decoded.error), decoded.error.message, CLOSE_CODES.badRequest.code);
      return;
    }
    if (!decoded.ok || decoded.frame.type !== "hello") {
      if (!decoded.ok) deps.metrics.badFrame(decoded.error.reason);
      this.fail("bad_request", "the first frame must be hello", CLOSE_CODES.badRequest.code);
      return;
    }
    deps.metrics.frameIn("hello");
    if (decoded.frame.protocol !== PROTOCOL_VERSION) {
      this.fail("unsupported_protocol", `this server speaks protocol ${PROTOCOL_VERSION} only`, CLOSE_CODES.unsupportedProtocol.code);
      return;
    }
    this.state = { kind: "greeting", inbox: [] };
    void this.greet(decoded.frame);
  }

  private async greet(frame: ClientFrameOf<"hello">): Promise<void> {
    const { deps } = this.services;
    try {
      const greeting = await greet(this.services, frame, { addressHash: this.addressHash });
      const state = this.state;
      if (state.kind !== "greeting" || !this.outlet.isOpen) return;
      if ("code" in greeting) {
        this.fail(greeting.code, greeting.message, greeting.closeCode);
        return;
      }
      const { identity, ready } = greeting;
      this.session = identity.token;
      this.services.claimSession(identity.token, this);
      const router = new FrameRouter({
        services: this.services,
        identity,
        budgets: new Budgets(deps.limits, deps.timers.now()),
        outlet: this.outlet,
      });
      this.outlet.write(ready);
      this.state = { kind: "ready", router };
      // Frames the client sent before its `ready` are handled after it, in the order sent.
      for (const text of state.inbox) this.receive(text);
    } catch (error) {
      deps.logger.error({ err: error }, "hello failed");
      if (this.state.kind === "closed") return;
      this.fail("server_error", "could not start the session, retry later", CLOSE_CODES.internalError.code);
    }
  }
}
