/** The part of a ws socket the heartbeat touches. */
export interface HeartbeatSocket {
  readonly readyState: number;
  readonly OPEN: number;
  ping(): void;
  terminate(): void;
}

/**
 * One heartbeat for the whole server, as the ws README recommends: each round cuts a socket
 * still awaiting the previous round's pong and pings every other open one. A timer and a closure
 * per socket would cost each idle connection memory for nothing, so the only per-socket state is
 * membership of one Set.
 */
export class Heartbeat<Socket extends HeartbeatSocket = HeartbeatSocket> {
  private readonly awaitingPong = new Set<Socket>();

  /** `sockets` is read afresh every round (the ws server's live client set). */
  constructor(private readonly sockets: () => Iterable<Socket>) {}

  /** One round; the plugin calls it every PING_INTERVAL_MS. */
  round(): void {
    for (const socket of this.sockets()) {
      if (this.awaitingPong.has(socket)) {
        this.awaitingPong.delete(socket);
        socket.terminate();
        continue;
      }
      if (socket.readyState !== socket.OPEN) continue;
      this.awaitingPong.add(socket);
      socket.ping();
    }
  }

  /** The socket answered: it is alive for this round. */
  ponged(socket: Socket): void {
    this.awaitingPong.delete(socket);
  }

  /** The socket closed: nothing is kept for it. */
  forget(socket: Socket): void {
    this.awaitingPong.delete(socket);
  }
}
