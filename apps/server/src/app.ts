import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Fastify, { type FastifyInstance } from "fastify";
import type { HostAdminActions } from "./admin-api/host-admin-actions";
import { storeAdminActions } from "./admin-api/store-admin-actions";
import type { Backend } from "./backend/backend";
import type { Timers } from "./chat/ports";
import type { AppConfig } from "./config";
import { secretSafeLogging } from "./log-redaction";
import adminApi from "./plugins/admin-api";
import backendPlugin from "./plugins/backend";
import chatPlugin from "./plugins/chat";
import chatSocketPlugin from "./plugins/chat-socket";
import errorHandler from "./plugins/error-handler";
import metricsPlugin from "./plugins/metrics";
import securityHeaders from "./plugins/security-headers";
import webApp from "./plugins/web-app";
import healthRoutes from "./routes/health";
import roomRoutes from "./routes/rooms";

export interface BuildOverrides {
  backend?: Backend;
  timers?: Timers;
  /** What `/api/admin/*` does; by default the store and this node's rooms, as the server admin. */
  adminActions?: HostAdminActions;
}

/** The web app's build output, found from this file whether it runs from src/ or dist/. */
export function defaultWebDist(): string {
  return resolve(dirname(fileURLToPath(import.meta.url)), "../../web/dist");
}

/** Builds the whole server. It never listens: the caller (server.ts, a test) decides where. */
export async function buildApp(config: AppConfig, overrides: BuildOverrides = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: loggerOptions(config),
    trustProxy: config.trustProxy,
  });
  await app.register(errorHandler);
  await app.register(securityHeaders, { config });
  await app.register(backendPlugin, { config, ...(overrides.backend ? { backend: overrides.backend } : {}) });
  await app.register(metricsPlugin, { config });
  await app.register(chatPlugin, { config, ...(overrides.timers ? { timers: overrides.timers } : {}) });
  await app.register(chatSocketPlugin, { config });
  await app.register(healthRoutes);
  await app.register(roomRoutes);
  if (config.adminApiToken) {
    const actions =
      overrides.adminActions ?? storeAdminActions({ messages: app.backend.messages, access: app.backend.access, rooms: app.hub });
    await app.register(adminApi, { token: config.adminApiToken, actions });
  }
  await app.register(webApp, { root: config.webDist ?? defaultWebDist() });
  return app;
}

function loggerOptions(config: AppConfig) {
  if (config.logLevel === "silent") return false;
  const safe = secretSafeLogging();
  if (config.env === "development") {
    return {
      level: config.logLevel,
      ...safe,
      transport: { target: "pino-pretty", options: { translateTime: "HH:MM:ss", ignore: "pid,hostname" } },
    };
  }
  return { level: config.logLevel, ...safe };
}
