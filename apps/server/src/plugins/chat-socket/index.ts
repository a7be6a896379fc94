import { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { CLOSE_CODES, isProtocol1Query } from "@chatroom/protocol";
import websocket from "@fastify/websocket";
import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { RawData, WebSocket } from "ws";
import type { AppConfig } from "../../config";
import type { TransportMetrics } from "../metrics";
import { Admission } from "./admission";
import { Heartbeat } from "./heartbeat";
import { SocketPeer } from "./socket-peer";
import { handleSocketError } from "./ws-errors";
import { CLOSE_TIMEOUT_MS, wsServerOptions } from "./ws-server-options";

// The hostile framing tests read the fragment limit from the plugin.
export { MAX_FRAGMENTS } from "./ws-server-options";

export interface ChatSocketOptions {
  config: AppConfig;
}

/** The route and listener wiring; this folder is the only code that knows about `ws`, turning sockets into `Peer`s for the hub. */
export default fp(
  async function chatSocketPlugin(app: FastifyInstance, { config }: ChatSocketOptions) {
    const metrics: TransportMetrics = app.transportMetrics;
    const admission = new Admission({ config, connectionCount: () => app.hub.connectionCount });

    await app.register(websocket, {
      options: wsServerOptions(config.limits),
      // Handler exceptions arrive here (protocol violations reach `onError` below instead).
      errorHandler(error, socket, request) {
        handleSocketError(error, socket, { log: request.log, metrics, failure: "websocket handler failed" });
      },
      // Shutdown is the hub's job: it announces, closes every connection, then the server stops.
      preClose(done) {
        app.hub.shutdown("The server is restarting. You will be reconnected.");
        const server = app.websocketServer;
        const deadline = setTimeout(() => {
          for (const socket of server.clients) socket.terminate();
        }, CLOSE_TIMEOUT_MS);
        deadline.unref();
        server.close(() => {
          clearTimeout(deadline);
          done();
        });
      },
    });

    const heartbeat = new Heartbeat<WebSocket>(() => app.websocketServer.clients);
    const beating = setInterval(() => heartbeat.round(), config.pingIntervalMs);
    beating.unref();
    app.addHook("onClose", async () => clearInterval(beating));

    // Shared listeners (`this` is the socket): nothing per connection but the SocketPeer itself.
    function onPong(this: WebSocket) {
      heartbeat.ponged(this);
    }
    function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
      const peer = SocketPeer.of(this);
      // A throw here would unwind into ws's parser and take the process down: contain it.
      try {
        if (isBinary) return peer.connection?.receiveBinary();
        const bytes = rawBytes(data);
        metrics.frameIn(bytes.length);
        peer.connection?.receive(bytes.toString("utf8"));
      } catch (error) {
        app.log.error({ err: error, remoteAddress: peer.remoteAddress }, "message handler failed");
        // The peer counts the close (the old code counted it here as well, so twice).
        peer.close(CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason);
      }
    }
    // Replaces @fastify/websocket's listener, which closes over the request and reply (see below).
    function onError(this: WebSocket, error: Error) {
      handleSocketError(error, this, { log: app.log, metrics, failure: "websocket failed" });
    }
    function onClose(this: WebSocket) {
      heartbeat.forget(this);
      const peer = SocketPeer.of(this);
      admission.closed(peer.remoteAddress);
      peer.connection?.closed();
    }

    // Listeners are attached before `hub.open` returns, synchronously in the handler, so no
    // frame or close of this socket can slip past them.
    app.get("/ws", { websocket: true, preValidation: admission.refuse }, (socket: WebSocket, request) => {
      const key = admission.clientKey(request);
      admission.opened(key);
      const peer = new SocketPeer(socket, key, metrics);
      releaseRequest(socket, request);
      socket.on("pong", onPong);
      socket.on("message", onMessage);
      socket.on("error", onError);
      socket.on("close", onClose);
      // Protocol 2's URL carries nothing; a protocol 1 client's carries its room and session.
      if (isProtocol1Query(request.query as Record<string, unknown>)) app.hub.refuseOutdated(peer);
      else peer.connection = app.hub.open(peer);
    });
  },
  { name: "chat-socket", dependencies: ["chat", "metrics"], fastify: "5.x" },
);

function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/**
 * Lets go of the HTTP upgrade request once the socket is open. Node leaves the upgrade's
 * ServerResponse on the socket (`_httpMessage`, which holds the IncomingMessage with its
 * headers), and @fastify/websocket's per-socket error listener closes over Fastify's request and
 * reply; together that was about 4 KiB per idle connection. Our `onError` takes that listener's
 * place: protocol errors are counted there, and handler exceptions still reach `errorHandler`,
 * which @fastify/websocket calls directly.
 */
function releaseRequest(socket: WebSocket, request: FastifyRequest): void {
  socket.removeAllListeners("error");
  const raw = request.raw.socket as Socket & { _httpMessage?: unknown };
  const response = raw._httpMessage;
  if (response instanceof ServerResponse) response.detachSocket(raw);
}
