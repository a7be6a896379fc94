import { existsSync } from "node:fs";
import { join } from "node:path";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** Serves the built web app, with every unknown page path falling back to index.html. */
export default async function webApp(app: FastifyInstance, options: { root: string }) {
  if (!existsSync(join(options.root, "index.html"))) {
    app.log.warn({ root: options.root }, "web app not built; run `pnpm build` to serve the page");
    return;
  }
  await app.register(fastifyStatic, { root: options.root, wildcard: false, index: "index.html" });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "";
    if (request.method !== "GET" || path.startsWith("/api/") || path === "/ws" || /\.[a-z0-9]+$/i.test(path)) {
      return reply.code(404).send({ error: "not found" });
    }
    return reply.type("text/html").sendFile("index.html");
  });
}
