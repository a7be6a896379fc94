import type { FastifyInstance } from "fastify";
import { pollingRouteOptions } from "./polling";

export default async function healthRoutes(app: FastifyInstance) {
  const quiet = pollingRouteOptions(app);
  app.get("/healthz", quiet, async () => ({ status: "ok" }));
  app.get("/readyz", quiet, async (request, reply) => {
    const ready = await app.backend.isReady().catch(() => false);
    // A 503 is not an error Fastify logs, and the route is quiet: say it at the level that shows.
    if (!ready) request.log.warn({ backend: app.backend.kind }, "not ready");
    return reply.code(ready ? 200 : 503).send({ status: ready ? "ready" : "unavailable", backend: app.backend.kind });
  });
}
