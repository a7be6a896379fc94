import { ServerResponse } from "node:http";
import type { Socket } from "node:net";
import { CLOSE_CODES } from "@chatroom/protocol";
import websocket, { type WebsocketPluginOptions } from "@fastify/websocket";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { RawData, WebSocket } from "ws";
import type { ChatConnection } from "../chat/chat-connection";
import type { OutboundBatch, Peer } from "../chat/peer";
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

    /**
     * One heartbeat for the whole server, as the ws README recommends: a socket still awaiting
     * the previous round's pong is cut, every other one is pinged. A timer and a closure per
     * socket would cost each idle connection memory for nothing.
     */
    const awaitingPong = new Set<WebSocket>();
    const heartbeat = setInterval(() => {
      for (const socket of app.websocketServer.clients) {
        if (awaitingPong.has(socket)) {
          awaitingPong.delete(socket);
          socket.terminate();
          continue;
        }
        if (socket.readyState !== socket.OPEN) continue;
        awaitingPong.add(socket);
        socket.ping();
      }
    }, config.pingIntervalMs);
    heartbeat.unref();
    app.addHook("onClose", async () => clearInterval(heartbeat));

    // Shared listeners (`this` is the socket): nothing per connection but the SocketPeer itself.
    function onPong(this: WebSocket) {
      awaitingPong.delete(this);
    }
    function onMessage(this: WebSocket, data: RawData, isBinary: boolean) {
      const peer = peerOf(this);
      // A throw here would unwind into ws's parser and take the process down: contain it.
      try {
        if (isBinary) return peer.connection?.receiveBinary();
        const bytes = rawBytes(data);
        metrics.frameIn(bytes.length);
        peer.connection?.receive(bytes.toString("utf8"));
      } catch (error) {
        app.log.error({ err: error, remoteAddress: peer.remoteAddress }, "message handler failed");
        metrics.serverClose(CLOSE_CODES.internalError.code);
        peer.close(CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason);
      }
    }
    // Replaces @fastify/websocket's listener, which closes over the request and reply (see below).
    function onError(this: WebSocket, error: Error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (code.startsWith("WS_ERR_")) {
        app.log.debug({ err: error }, "websocket protocol violation");
        metrics.serverClose(protocolCloseCode(code));
        return;
      }
      app.log.error({ err: error }, "websocket failed");
      if (this.readyState === this.OPEN) {
        metrics.serverClose(CLOSE_CODES.internalError.code);
        this.close(CLOSE_CODES.internalError.code, CLOSE_CODES.internalError.reason);
      }
    }
    function onClose(this: WebSocket) {
      awaitingPong.delete(this);
      const peer = peerOf(this);
      const key = peer.remoteAddress;
      const remaining = (perIp.get(key) ?? 1) - 1;
      if (remaining > 0) perIp.set(key, remaining);
      else perIp.delete(key);
      peer.connection?.closed();
    }

    app.get("/ws", { websocket: true, preValidation: admit }, (socket: WebSocket, request) => {
      const key = clientKey(request);
      perIp.set(key, (perIp.get(key) ?? 0) + 1);
      const peer = new SocketPeer(socket, key, metrics);
      (socket as PeerSocket)[PEER] = peer;
      releaseRequest(socket, request);
      socket.on("pong", onPong);
      socket.on("message", onMessage);
      socket.on("error", onError);
      socket.on("close", onClose);
      peer.connection = app.hub.open(peer, request.query as Record<string, unknown>);
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

const PEER = Symbol("chatroom.peer");
type PeerSocket = WebSocket & { [PEER]?: SocketPeer };

function peerOf(socket: WebSocket): SocketPeer {
  const peer = (socket as PeerSocket)[PEER];
  if (!peer) throw new Error("socket without a peer");
  return peer;
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

/** A class rather than an object of closures: its methods live once on the prototype. */
class SocketPeer implements Peer {
  connection: ChatConnection | null = null;

  constructor(
    private readonly socket: WebSocket,
    readonly remoteAddress: string,
    private readonly metrics: TransportMetrics,
  ) {}

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
