import websocket from "@fastify/websocket";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import type { RawData, WebSocket } from "ws";
import type { Peer } from "../chat/peer";
import type { AppConfig } from "../config";

const DEV_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:5173"];
/** How long a closing socket may take to say goodbye before it is cut. */
const CLOSE_TIMEOUT_MS = 2_000;

export interface ChatSocketOptions {
  config: AppConfig;
}

/** The only place that knows about `ws`: it turns sockets into `Peer`s for the hub. */
export default fp(
  async function chatSocketPlugin(app: FastifyInstance, { config }: ChatSocketOptions) {
    const { limits } = config;
    const perIp = new Map<string, number>();
    const allowedOrigins = new Set([...config.allowedOrigins, ...(config.env === "development" ? DEV_ORIGINS : [])]);

    await app.register(websocket, {
      options: {
        maxPayload: limits.maxFrameBytes,
        perMessageDeflate: false,
        skipUTF8Validation: false,
        allowSynchronousEvents: true,
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
      const peer = socketPeer(socket, key);
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
        if (isBinary) return connection.receiveBinary();
        connection.receive(rawText(data));
      });
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
  { name: "chat-socket", dependencies: ["chat"], fastify: "5.x" },
);

function rawText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

function socketPeer(socket: WebSocket, remoteAddress: string): Peer {
  return {
    remoteAddress,
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data) {
      if (socket.readyState === socket.OPEN) socket.send(data, { binary: false });
    },
    close(code, reason) {
      if (socket.readyState === socket.CLOSED) return;
      socket.close(code, reason);
      // A peer that never reads will never finish the closing handshake.
      setTimeout(() => socket.terminate(), CLOSE_TIMEOUT_MS).unref();
    },
  };
}
