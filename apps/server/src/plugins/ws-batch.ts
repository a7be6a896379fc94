import type { WebSocket } from "ws";
import type { OutboundBatch } from "../chat/peer";

/** The parts of a ws 8 WebSocket the fast path relies on; checked on every call, never assumed. */
interface WsInternals {
  _socket?: { writable: boolean; write(chunk: Buffer): boolean };
  _sender?: { _state: number; _queue: unknown[] };
}

/** ws's Sender state when nothing is being compressed or converted (lib/sender.js `DEFAULT`). */
const SENDER_IDLE = 0;

/**
 * Writes a whole broadcast batch to one socket as a single pre-framed buffer: the frames are
 * built once per batch (cached on it) and each recipient costs one socket write. Returns false
 * when ws is not in the plain state this relies on (a send queued behind compression, a socket
 * going away, different internals), so the caller falls back to `socket.send`.
 */
export function writeBatch(socket: WebSocket, batch: OutboundBatch): boolean {
  const internals = socket as unknown as WsInternals;
  const raw = internals._socket;
  const sender = internals._sender;
  if (!raw || !sender || sender._state !== SENDER_IDLE || sender._queue.length !== 0 || !raw.writable) return false;
  batch.wire ??= frameTexts(batch.frames);
  raw.write(batch.wire);
  return true;
}

/** Unmasked, unfragmented text frames (RFC 6455 §5.2), back to back in one buffer. */
export function frameTexts(payloads: readonly Buffer[]): Buffer {
  let size = 0;
  for (const payload of payloads) size += headerSize(payload.length) + payload.length;
  const wire = Buffer.allocUnsafe(size);
  let at = 0;
  for (const payload of payloads) {
    const length = payload.length;
    wire[at++] = 0x81; // FIN + text
    if (length < 126) {
      wire[at++] = length;
    } else if (length < 65536) {
      wire[at++] = 126;
      wire.writeUInt16BE(length, at);
      at += 2;
    } else {
      wire[at++] = 127;
      wire.writeUInt32BE(Math.floor(length / 2 ** 32), at);
      wire.writeUInt32BE(length >>> 0, at + 4);
      at += 8;
    }
    at += payload.copy(wire, at);
  }
  return wire;
}

function headerSize(length: number): number {
  return length < 126 ? 2 : length < 65536 ? 4 : 10;
}
