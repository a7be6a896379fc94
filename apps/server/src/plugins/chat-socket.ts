import { CLOSE_CODES } from "@chatroom/protocol";
import websocket, { type WebsocketPluginOptions } from "@fastify/websocket";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { RawData, WebSocket } from "ws";
import type { Peer } from "../chat/peer";
import type { AppConfig } from "../config";
import type { TransportMetrics } from "./metrics";
import { writeBatch } from "./ws-batch";

const DEV_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:5173"];
/** How long a closing socket may take to say goodbye before it is cut. */
const CLOSE_TIMEOUT_MS = 2_000;
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

/** ws 8.23 options that @types/ws does not describe yet; @fastify/websocket passes them all through. */
type WsServerOptions = NonNullable<WebsocketPluginOptions["options"]> & { closeTimeout?: number; maxPendingAutoPongs?: number };

export interface ChatSocketOptions {
  config: AppConfig;
}

/** The only place that knows about `ws`: it turns sockets into `Peer`s for the hub. */
export default fp(
  async function chatSocketPlugin(app: FastifyInstance, { config }: ChatSocketOptions) {
    const { limits } = config;
    const perIp = new Map<string, number>();
    const allowedOrigins = new Set([...config.allowedOrigins, ...(config.env === "development" ? DEV_ORIGINS : [])]);

    const metrics: TransportMetrics = app.transportMetrics;
    const wsOptions: WsServerOptions = {
      // Counted over the whole message, across fragments: a fragmented message is no bigger.
      maxPayload: limits.maxFrameBytes,
      maxFragments: MAX_FRAGMENTS,
      maxBufferedChunks: MAX_BUFFERED_CHUNKS,
      // A peer that pings without reading the pongs is cut after this many.
      maxPendingAutoPongs: 60,
      // A peer that never answers our close frame is cut after this long (ws defaults to 30 s).
      closeTimeout: CLOSE_TIMEOUT_MS,
      perMessageDeflate: false,
      skipUTF8Validation: false,
      allowSynchronousEvents: true,
    };

    await app.register(websocket, {
      options: wsOptions,
      // Protocol violations (1002, 1007, 1008, 1009) arrive here after ws has already sent its close
      // frame; anything else is an exception out of the connection handler, answered with 1011.
      errorHandler(error, socket, request) {
        const code = (error as NodeJS.ErrnoException).code ?? "";
        if (code.startsWith("WS_ERR_")) {
          request.log.debug({ err: error }, "websocket protocol violation");
          metrics.serverClose(protocolCloseCode(code));
          return;
        }
        request.log.error({ err: error }, "websocket handler failed");
        if (socket.readyState === socket.OPEN) {
          metrics.serverClose(CLOSE_CODES.internalError.code);
          socket.close(CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason);
        }
      },
      // Shutdown is the hub's job: it announces, closes with 1001, then the server stops.
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

    function clientKey(request: FastifyRequest): string {
      return (config.trustProxy ? request.ip : request.socket.remoteAddress) ?? "unknown";
    }

    function originAllowed(request: FastifyRequest): boolean {
      const origin = request.headers.origin;
      if (origin === undefined) return true;
      if (allowedOrigins.has(origin)) return true;
      try {
        return new URL(origin).host === request.headers.host;
      } catch {
        return false;
      }
    }

    /** Refusals happen before the upgrade, as plain HTTP, so a refused client costs no socket. */
    async function admit(request: FastifyRequest, reply: FastifyReply) {
      if (!originAllowed(request)) return reply.code(403).send({ error: "origin not allowed" });
      if (app.hub.connectionCount >= config.maxConnections) {
        return reply.code(503).header("retry-after", "5").send({ error: "server is full" });
      }
      if ((perIp.get(clientKey(request)) ?? 0) >= config.maxConnectionsPerIp) {
        return reply.code(503).header("retry-after", "5").send({ error: "too many connections from this address" });
      }
    }

    app.get("/ws", { websocket: true, preValidation: admit }, (socket: WebSocket, request) => {
      const key = clientKey(request);
      perIp.set(key, (perIp.get(key) ?? 0) + 1);
      const peer = socketPeer(socket, key, metrics);
      const connection = app.hub.open(peer, request.query as Record<string, unknown>);
      let alive = true;
      socket.on("pong", () => {
        alive = true;
      });
      const heartbeat = setInterval(() => {
        if (!alive) return socket.terminate();
        alive = false;
        socket.ping();
      }, config.pingIntervalMs);
      heartbeat.unref();

      socket.on("message", (data: RawData, isBinary: boolean) => {
        // A throw here would unwind into ws's parser and take the process down: contain it.
        try {
          if (isBinary) return connection.receiveBinary();
          const bytes = rawBytes(data);
          metrics.frameIn(bytes.length);
          connection.receive(bytes.toString("utf8"));
        } catch (error) {
          request.log.error({ err: error }, "message handler failed");
          metrics.serverClose(CLOSE_CODES.internalError.code);
          peer.close(CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason);
        }
      });
      // Also registered by @fastify/websocket (errorHandler above); this one keeps the debug trail.
      socket.on("error", (error) => {
        request.log.debug({ err: error }, "socket error");
      });
      socket.on("close", () => {
        clearInterval(heartbeat);
        const remaining = (perIp.get(key) ?? 1) - 1;
        if (remaining > 0) perIp.set(key, remaining);
        else perIp.delete(key);
        connection.closed();
      });
    });
  },
  { name: "chat-socket", dependencies: ["chat", "metrics"], fastify: "5.x" },
);

function rawBytes(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

/** The close code ws sent for one of its protocol errors. */
function protocolCloseCode(errorCode: string): number {
  switch (errorCode) {
    case "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH":
    case "WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH":
      return CLOSE_CODES.frameTooLarge.code;
    case "WS_ERR_INVALID_UTF8":
      return 1007;
    case "WS_ERR_TOO_MANY_BUFFERED_PARTS":
      return 1008;
    default:
      return 1002;
  }
}

function socketPeer(socket: WebSocket, remoteAddress: string, metrics: TransportMetrics): Peer {
  return {
    remoteAddress,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data) {
      if (socket.readyState !== socket.OPEN) return;
      metrics.frameOut(data);
      socket.send(data, { binary: false });
    },
    sendBatch(batch) {
      if (socket.readyState !== socket.OPEN) return;
      metrics.batchOut(batch);
      if (!writeBatch(socket, batch)) for (const frame of batch.frames) socket.send(frame, { binary: false });
    },
    close(code, reason) {
      if (socket.readyState === socket.CLOSED) return;
      if (socket.readyState === socket.OPEN) metrics.serverClose(code);
      socket.close(code, reason);
      // A peer that never reads will never finish the closing handshake.
      setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS).unref();
    },
  };
}
