import type { WebSocket } from "ws";
import type { ConnectionHandle, OutboundBatch, Peer } from "../../chat/ports";
import type { TransportMetrics } from "../metrics";
import { writeBatch } from "./ws-batch";
import { CLOSE_TIMEOUT_MS } from "./ws-server-options";

/** What `hub.open` hands back: the chat side of one socket, fed by the socket's listeners. */
/**
 * The `Peer` the hub sees over one ws socket. A class rather than an object of closures: its
 * methods live once on the prototype, and the socket carries it under a symbol so the shared
 * listeners find it (nothing per connection but this object).
 */
export class SocketPeer implements Peer {
  connection: ConnectionHandle | null = null;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    private readonly metrics: TransportMetrics,
  ) {
    (socket as PeerSocket)[PEER] = this;
  }

  /** The peer `socket` was created with; a socket without one is a bug in the wiring. */
  static of(socket: WebSocket): SocketPeer {
    const peer = (socket as PeerSocket)[PEER];
    if (!peer) throw new Error("socket without a peer");
    return peer;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(data: string | Buffer): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    this.metrics.frameOut(data);
    socket.send(data, { binary: false });
  }

  sendBatch(batch: OutboundBatch): void {
    const socket = this.socket;
    if (socket.readyState !== socket.OPEN) return;
    this.metrics.batchOut(batch);
    if (!writeBatch(socket, batch)) for (const frame of batch.frames) socket.send(frame, { binary: false });
  }

  close(code: number, reason: string): void {
    const socket = this.socket;
    if (socket.readyState === socket.CLOSED) return;
    if (socket.readyState === socket.OPEN) this.metrics.serverClose(code);
    socket.close(code, reason);
    // A peer that never reads will never finish the closing handshake.
    setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS).unref();
  }
}

const PEER = Symbol("chatroom.peer");
type PeerSocket = WebSocket & { [PEER]?: SocketPeer };
