import type { WebsocketPluginOptions } from "@fastify/websocket";

/**
 * Fragments one message may arrive in. Browsers send a chat as one frame; 64 leaves room for
 * clients that fragment, while a FIN=0 flood of empty continuations is cut at the 65th.
 */
export const MAX_FRAGMENTS = 64;
/**
 * Undecoded TCP chunks ws may hold for one socket. A frame of at most MAX_FRAME_BYTES arrives
 * in a few dozen segments; a trickle of one-byte writes is cut here rather than pinning
 * thousands of tiny Buffers.
 */
export const MAX_BUFFERED_CHUNKS = 1_024;
/** A peer that pings without reading the pongs is cut after this many unread pongs. */
export const MAX_PENDING_AUTO_PONGS = 60;
/** How long a closing socket may take to say goodbye before it is cut (ws defaults to 30 s). */
export const CLOSE_TIMEOUT_MS = 2_000;
/** What a refused upgrade (server full, too many from one address) tells the client to wait, in seconds. */
export const REFUSAL_RETRY_AFTER_S = 5;

/** ws 8.23 options that @types/ws does not describe yet; @fastify/websocket passes them all through. */
type WsServerOptions = NonNullable<WebsocketPluginOptions["options"]> & { closeTimeout?: number; maxPendingAutoPongs?: number };

/** The one place the ws server is configured: every transport limit above, applied. */
export function wsServerOptions({ maxFrameBytes }: { maxFrameBytes: number }): WsServerOptions {
  return {
    // Counted over the whole message, across fragments: a fragmented message is no bigger.
    maxPayload: maxFrameBytes,
    maxFragments: MAX_FRAGMENTS,
    maxBufferedChunks: MAX_BUFFERED_CHUNKS,
    maxPendingAutoPongs: MAX_PENDING_AUTO_PONGS,
    closeTimeout: CLOSE_TIMEOUT_MS,
    // Off: chats are small, and ws-batch's pre-framed writes rely on no socket compressing.
    perMessageDeflate: false,
    skipUTF8Validation: false,
    allowSynchronousEvents: true,
  };
}
