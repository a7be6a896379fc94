import type { FastifyInstance } from "fastify";
import { type BuildOverrides, buildApp } from "../../src/app";
import { type AppConfig, testConfig } from "../../src/config";

export interface StartedServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  /** `ws://127.0.0.1:<port>/ws` */
  wsUrl: string;
  port: number;
  app: FastifyInstance;
  config: AppConfig;
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
  return {
    url,
    wsUrl: `ws://127.0.0.1:${address.port}/ws`,
    port: address.port,
    app,
    config,
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}
