import { CLOSE_CODES, type CloseName } from "@chatroom/protocol";
import type { FastifyBaseLogger } from "fastify";
import type { TransportMetrics } from "../metrics";

/**
 * The close ws sends for each of its protocol errors (lib/receiver.js), named by our table. ws
 * has already sent that close frame when the error reaches us; we only count it. Every other
 * WS_ERR_* (bad opcode, RSV bits, masking, close payload) is a 1002 protocol error.
 */
const CLOSE_FOR_WS_ERROR: Readonly<Record<string, CloseName>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: "frameTooLarge",
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: "frameTooLarge",
  WS_ERR_INVALID_UTF8: "invalidUtf8",
  WS_ERR_TOO_MANY_BUFFERED_PARTS: "policyViolation",
};

/** The close code ws sent for the protocol error `errorCode` (a `WS_ERR_*`). */
export function closeCodeForWsError(errorCode: string): number {
  return CLOSE_CODES[CLOSE_FOR_WS_ERROR[errorCode] ?? "protocolError"].code;
}

/** The part of a ws socket the error path touches. */
export interface ClosableSocket {
  readonly readyState: number;
  readonly OPEN: number;
  close(code: number, reason: string): void;
}

export interface SocketErrorContext {
  log: FastifyBaseLogger;
  metrics: TransportMetrics;
  /** What failed, for the log line of an error that is not a protocol violation. */
  failure: string;
}

/**
 * The one handling of an error on a socket, wherever ws or @fastify/websocket reports it. A
 * protocol violation (WS_ERR_*) was already answered by ws with its close frame, so it is logged
 * at debug and counted; anything else is our fault, logged as an error and answered with 1011.
 */
export function handleSocketError(error: unknown, socket: ClosableSocket, { log, metrics, failure }: SocketErrorContext): void {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? "";
  if (code.startsWith("WS_ERR_")) {
    log.debug({ err: error }, "websocket protocol violation");
    metrics.serverClose(closeCodeForWsError(code));
    return;
  }
  log.error({ err: error }, failure);
  if (socket.readyState === socket.OPEN) {
    metrics.serverClose(CLOSE_CODES.internalError.code);
    socket.close(CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason);
  }
}
