import type { FastifyError, FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/**
 * Clients never see a stack trace or an exception's text for a server fault: a 5xx is logged in
 * full and answered with a fixed body. A 4xx is the client's own mistake (bad JSON body, unknown
 * content type) and keeps Fastify's message, which describes the request, not the server.
 */
export default fp(
  async function errorHandler(app: FastifyInstance) {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      const status = typeof error.statusCode === "number" && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
      if (status >= 500) {
        request.log.error({ err: error }, "request failed");
        return reply.code(status).send({ error: "internal server error" });
      }
      request.log.info({ err: error }, "bad request");
      return reply.code(status).send({ error: error.code ? `${error.code}: ${error.message}` : error.message });
    });
  },
  { name: "error-handler", fastify: "5.x" },
);
