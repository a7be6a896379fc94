import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { pollingRouteOptions } from "./polling";

const querySchema = z.object({ limit: z.coerce.number().int().min(1).max(200).default(50) });

export default async function roomRoutes(app: FastifyInstance) {
  app.get("/api/rooms", pollingRouteOptions(app), async (request, reply) => {
    const query = querySchema.safeParse(request.query);
    if (!query.success) return reply.code(400).send({ error: query.error.issues[0]?.message ?? "bad query" });
    return { rooms: await app.hub.listRooms(query.data.limit) };
  });
}
