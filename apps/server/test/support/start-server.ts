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
  /**
   * One series of `/metrics` by its full name, labels included (`chat_connections`, or
   * `chat_server_closes_total{code="4008"}`); 0 for a labelled series not counted yet.
   */
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
    if (response.statusCode !== 200) throw new Error(`/metrics answered HTTP ${response.statusCode}`);
    const line = response.body.split("\n").find((candidate) => candidate.startsWith(`${name} `));
    return line ? Number(line.slice(name.length + 1)) : 0;
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
