import * as ws from "ws";
import type { OutboundBatch } from "../../chat/ports";

/** How ws frames a message: `Sender.frame` (lib/sender.js), exported by ws but not typed by @types/ws. */
export interface WsSenderStatic {
  frame(data: Buffer, options: FrameOptions): Buffer[];
}

/** The options socket.io's engine passes to `Sender.frame` for a pre-encoded frame. */
interface FrameOptions {
  readOnly: boolean;
  mask: boolean;
  rsv1: boolean;
  opcode: number;
  fin: boolean;
}

/**
 * A socket's own Sender. `sendFrame` is the step every ws send ends in: it writes an already
 * framed message to the TCP socket (corked when it has two parts), behind whatever ws wrote
 * before, so ws's order and its `bufferedAmount` accounting hold.
 */
export interface WsSocketSender {
  sendFrame(list: readonly Buffer[], callback?: (error?: Error | null) => void): void;
}

/** The one private field this module reads, as socket.io's engine does (ws issue #617). */
type SocketWithSender = { _sender?: WsSocketSender | null };

export const Sender = (ws as unknown as { Sender: WsSenderStatic }).Sender;

/** A server's text frame: unmasked (RFC 6455 §5.1), unfragmented, uncompressed. */
const TEXT_FRAME: FrameOptions = { readOnly: false, mask: false, rsv1: false, opcode: 1, fin: true };

/** The socket's Sender when it has the `sendFrame` this module relies on. */
export function senderOf(socket: ws.WebSocket): WsSocketSender | undefined {
  const sender = (socket as unknown as SocketWithSender)._sender;
  return typeof sender?.sendFrame === "function" ? sender : undefined;
}

/**
 * Writes a whole broadcast batch to one socket as a single pre-framed buffer: the frames are
 * built once per batch (cached on it) and each recipient costs one `sendFrame`. Returns false,
 * so the caller falls back to `socket.send`, when this path would not be what ws does:
 * - an extension was negotiated (permessage-deflate): ws would compress, and a compressed send
 *   queues inside ws until deflate finishes, so a frame written past it would overtake it;
 * - ws no longer offers `Sender.frame` and `sendFrame` in the shapes above.
 * With no extension, ws's Sender only ever queues behind a Blob being read, and this server
 * sends none (`Peer.send` takes strings and Buffers), so `sendFrame` is always next in line.
 */
export function writeBatch(socket: ws.WebSocket, batch: OutboundBatch): boolean {
  if (socket.extensions !== "") return false;
  const sender = senderOf(socket);
  if (!sender || typeof Sender?.frame !== "function") return false;
  batch.wire ??= frameTexts(batch.frames);
  sender.sendFrame([batch.wire]);
  return true;
}

/** Text frames as ws builds them, back to back in one buffer. */
export function frameTexts(payloads: readonly Buffer[]): Buffer {
  const parts: Buffer[] = [];
  for (const payload of payloads) parts.push(...Sender.frame(payload, TEXT_FRAME));
  return Buffer.concat(parts);
}
