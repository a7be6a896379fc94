import type { FastifyInstance } from "fastify";
import { type BuildOverrides, buildApp } from "../../src/app";
import { type AppConfig, testConfig } from "../../src/config";
import { waitUntil } from "./wait-until";

export interface StartedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  port: number;
  app: FastifyInstance;
  config: AppConfig;
  /** One unlabelled series of `/metrics`, e.g. `chat_connections` (open WebSocket connections). */
  metric(name: string): Promise<number>;
  /** Resolves once the server counts exactly `count` open connections, e.g. after a client closed. */
  waitForConnections(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Builds the real app from `testConfig(env)` (in-memory history unless `env` says otherwise) and
 * listens on a random port. `close()` is idempotent, so `afterEach` can always call it.
 */
export async function startServer(env: Record<string, string> = {}, overrides: BuildOverrides = {}): Promise<StartedServer> {
  const config = testConfig(env);
  const app = await buildApp(config, overrides);
  await app.listen({ port: 0, host: "127.0.0.1" });
  const address = app.server.address();
  if (typeof address !== "object" || address === null) throw new Error("server has no TCP address");
  const url = `http://127.0.0.1:${address.port}`;
  let closing: Promise<void> | undefined;
  const metric = async (name: string) => {
    const response = await app.inject({ method: "GET", url: "/metrics", headers: authorization(config) });
    const line = new RegExp(`^${name} (\\S+)$`, "m").exec(response.body);
    if (!line) throw new Error(`/metrics has no ${name} (HTTP ${response.statusCode})`);
    return Number(line[1]);
  };
  return {
    url,
    wsUrl: `ws://127.0.0.1:${address.port}/ws`,
    port: address.port,
    app,
    config,
    metric,
    waitForConnections: async (count) => {
      await waitUntil(async () => (await metric("chat_connections")) === count, { what: `${count} open connections` });
    },
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}

function authorization(config: AppConfig): Record<string, string> {
  return config.metricsToken ? { authorization: `Bearer ${config.metricsToken}` } : {};
}
