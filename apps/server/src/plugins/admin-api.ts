import { type ErrorCode, roomSchema } from "@chatroom/protocol";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { z } from "zod";
import { HOST_ADMIN_ACTOR, type HostAdminActions, type HostAdminResult } from "../admin-api/host-admin-actions";
import { constantTimeEqual } from "../security/secrets";

export interface AdminApiOptions {
  /** ADMIN_API_TOKEN: `Authorization: Bearer <token>` on every request. */
  token: string;
  actions: HostAdminActions;
}

const LONGEST_DURATION_MS = 10 * 365 * 24 * 60 * 60 * 1000;
const userId = z.string().min(1).max(128);
const roomParams = z.object({ room: roomSchema });
const messageParams = z.object({ room: roomSchema, seq: z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER) });
const bodies = {
  ban: z.strictObject({ user: userId, durationMs: z.int().min(1).max(LONGEST_DURATION_MS).optional() }),
  unban: z.strictObject({ user: userId }),
  kick: z.strictObject({ user: userId }),
  role: z.strictObject({ user: userId, role: z.enum(["member", "moderator", "owner"]) }),
};

/** HTTP status for each refusal code an action may answer with. */
const STATUS: Partial<Record<ErrorCode, number>> = { forbidden: 403, not_found: 404, gone: 410, server_error: 503 };

function refuse(reply: FastifyReply, status: number, code: ErrorCode, message: string) {
  return reply.code(status).send({ error: { code, message } });
}

function answer(reply: FastifyReply, result: HostAdminResult) {
  if (result.ok) return reply.send({ seq: result.seq });
  return refuse(reply, STATUS[result.code] ?? 400, result.code, result.message);
}

/** `Bearer <token>`, compared in constant time; the header's value is never logged (see log-redaction.ts). */
function authorized(request: FastifyRequest, token: string): boolean {
  const header = request.headers.authorization;
  if (typeof header !== "string" || !header.startsWith("Bearer ")) return false;
  return constantTimeEqual(header.slice("Bearer ".length), token);
}

function parse<T>(schema: z.ZodType<T>, value: unknown, reply: FastifyReply): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.join(".");
  void refuse(reply, 400, "bad_request", field ? `${field}: ${issue?.message}` : (issue?.message ?? "invalid request"));
  return undefined;
}

/**
 * `/api/admin/*` (spec §6): the host app's backend bans, unbans, kicks, sets roles and deletes
 * messages as the server admin. Registered only when ADMIN_API_TOKEN is set.
 */
export default fp(
  async function adminApi(app: FastifyInstance, options: AdminApiOptions) {
    const { actions, token } = options;
    await app.register(async (scope) => {
      scope.addHook("onRequest", async (request, reply) => {
        if (!authorized(request, token)) {
          reply.header("www-authenticate", 'Bearer realm="chatroom-admin"');
          return refuse(reply, 401, "forbidden", "a valid admin API bearer token is required");
        }
      });

      /** A POST action on a room: the room from the path, the body by its schema, then the action's answer. */
      const roomAction = <T>(action: string, body: z.ZodType<T>, run: (room: string, body: T) => Promise<HostAdminResult>) => {
        scope.post(`/api/admin/rooms/:room/${action}`, async (request, reply) => {
          const params = parse(roomParams, request.params, reply);
          const parsed = params && parse(body, request.body, reply);
          if (!params || !parsed) return reply;
          return answer(reply, await run(params.room, parsed));
        });
      };
      const by = HOST_ADMIN_ACTOR;
      roomAction("ban", bodies.ban, (room, { user, durationMs }) =>
        actions.ban({ room, by, user, ...(durationMs === undefined ? {} : { durationMs }) }),
      );
      roomAction("unban", bodies.unban, (room, { user }) => actions.unban({ room, by, user }));
      roomAction("kick", bodies.kick, (room, { user }) => actions.kick({ room, by, user }));
      roomAction("role", bodies.role, (room, { user, role }) => actions.setRole({ room, by, user, role }));

      // Any other path under /api/admin is behind the token too, so an unauthenticated caller learns nothing of the routes.
      scope.all("/api/admin/*", async (_request, reply) => refuse(reply, 404, "not_found", "no such admin API route"));

      scope.delete("/api/admin/rooms/:room/messages/:seq", async (request, reply) => {
        const params = parse(messageParams, request.params, reply);
        if (!params) return reply;
        return answer(reply, await actions.deleteMessage({ room: params.room, seq: params.seq, by }));
      });
    });
  },
  { name: "admin-api", fastify: "5.x" },
);
