import { randomBytes } from "node:crypto";
import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Backend } from "../backend/backend";
import { MemoryBackend } from "../backend/memory/memory-backend";
import { type AppConfig, ConfigError, REDIS_NEEDS_DATABASE } from "../config";

declare module "fastify" {
  interface FastifyInstance {
    backend: Backend;
  }
}

export interface BackendPluginOptions {
  config: AppConfig;
  /** Tests pass a backend of their own, e.g. one that fails on purpose. */
  backend?: Backend;
}

export async function createBackend(config: AppConfig, log?: FastifyBaseLogger): Promise<Backend> {
  const nodeId = randomBytes(6).toString("hex");
  const onError = (error: unknown, context: string) => log?.warn({ err: error }, context);
  if (config.databaseUrl) {
    // PostgreSQL keeps everything; Redis, when set, only carries traffic between the nodes.
    const [{ PgBackend }, { RedisTraffic }] = await Promise.all([
      import("../backend/postgres/pg-backend"),
      import("../backend/redis/redis-traffic"),
    ]);
    const traffic = config.redisUrl
      ? await RedisTraffic.connect({ nodeId, url: config.redisUrl, nodeTtlMs: config.redisNodeTtlMs, onError })
      : undefined;
    try {
      return await PgBackend.open({
        nodeId,
        url: config.databaseUrl,
        poolMax: config.databasePoolMax,
        onError,
        ...(traffic ? { traffic } : {}),
      });
    } catch (error) {
      await traffic?.close();
      throw error;
    }
  }
  // loadConfig refuses this already; a config made by hand must not fall back to one node's store silently.
  if (config.redisUrl) throw new ConfigError([REDIS_NEEDS_DATABASE]);
  if (config.history === "memory") return new MemoryBackend({ nodeId });
  const { SqliteBackend } = await import("../backend/sqlite/sqlite-backend");
  return SqliteBackend.open({ nodeId, dataDir: config.dataDir, onError: (error, context) => log?.warn({ err: error }, context) });
}

export default fp(
  async function backendPlugin(app: FastifyInstance, options: BackendPluginOptions) {
    const backend = options.backend ?? (await createBackend(options.config, app.log));
    app.decorate("backend", backend);
    // Runs after the chat plugin's onClose, so the store outlives every socket.
    app.addHook("onClose", async () => {
      await backend.close();
    });
  },
  { name: "backend", fastify: "5.x" },
);
