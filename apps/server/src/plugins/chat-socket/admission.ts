import type { FastifyReply, FastifyRequest } from "fastify";
import type { AppConfig } from "../../config";
import { REFUSAL_RETRY_AFTER_S } from "./ws-server-options";

/** Vite's dev server, whose page talks to this server's /ws through its proxy under `pnpm dev`. */
const DEV_ORIGINS = ["http://localhost:5173", "http://127.0.0.1:5173"];

export interface AdmissionOptions {
  config: Pick<AppConfig, "allowedOrigins" | "env" | "trustProxy" | "maxConnections" | "maxConnectionsPerIp">;
  /** Open chat connections on this node, across every address. */
  connectionCount: () => number;
}

/**
 * Who may open a socket: the origin check, the node's capacity and the per-address cap. Refusals
 * happen before the upgrade, as plain HTTP, so a refused client costs no socket. It also keeps the
 * per-address count, which the route raises on open and the socket's close lowers.
 */
export class Admission {
  private readonly perAddress = new Map<string, number>();
  private readonly allowedOrigins: ReadonlySet<string>;
  private readonly config: AdmissionOptions["config"];
  private readonly connectionCount: () => number;

  constructor({ config, connectionCount }: AdmissionOptions) {
    this.config = config;
    this.connectionCount = connectionCount;
    this.allowedOrigins = new Set([...config.allowedOrigins, ...(config.env === "development" ? DEV_ORIGINS : [])]);
  }

  /** The address a connection is counted under: the proxy's client address only when it is trusted. */
  clientKey(request: FastifyRequest): string {
    return (this.config.trustProxy ? request.ip : request.socket.remoteAddress) ?? "unknown";
  }

  /** The route's `preValidation` hook: answers a refusal, or lets the upgrade go on. */
  readonly refuse = async (request: FastifyRequest, reply: FastifyReply) => {
    if (!this.originAllowed(request)) return reply.code(403).send({ error: "origin not allowed" });
    if (this.connectionCount() >= this.config.maxConnections) return this.full(reply, "server is full");
    if ((this.perAddress.get(this.clientKey(request)) ?? 0) >= this.config.maxConnectionsPerIp) {
      return this.full(reply, "too many connections from this address");
    }
  };

  opened(key: string): void {
    this.perAddress.set(key, (this.perAddress.get(key) ?? 0) + 1);
  }

  closed(key: string): void {
    const remaining = (this.perAddress.get(key) ?? 1) - 1;
    if (remaining > 0) this.perAddress.set(key, remaining);
    else this.perAddress.delete(key);
  }

  /** A missing Origin is a non-browser client; a browser's must be allowed or our own host. */
  private originAllowed(request: FastifyRequest): boolean {
    const origin = request.headers.origin;
    if (origin === undefined) return true;
    if (this.allowedOrigins.has(origin)) return true;
    try {
      return new URL(origin).host === request.headers.host;
    } catch {
      return false;
    }
  }

  private full(reply: FastifyReply, error: string) {
    return reply.code(503).header("retry-after", String(REFUSAL_RETRY_AFTER_S)).send({ error });
  }
}
