import type { FastifyInstance, LogLevel } from "fastify";

/**
 * Route options for endpoints that are polled all day: every open tab asks for `/api/rooms`
 * every few seconds, and probes hit `/healthz` and `/readyz`. At the default `info` level their
 * "incoming request" / "request completed" pairs would bury everything else, so these routes log
 * at `warn` (their errors still show). At `debug` or `trace` they log like any other route, and
 * a quieter app level (`warn`, `error`, …) is never made noisier.
 */
export function pollingRouteOptions(app: FastifyInstance): { logLevel?: LogLevel } {
  return app.log.level === "info" ? { logLevel: "warn" } : {};
}
