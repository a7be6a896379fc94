import type { FastifyRequest } from "fastify";

/** What stands in a log line where a secret was. */
export const REDACTED = "[redacted]";

/**
 * The secret fields of each frame type (spec §2): capabilities, JWTs and the admin key. A frame
 * logged under any key goes through `redactFrame`; the same fields are also pino redaction paths
 * for a frame logged under its type's name (`{ hello }`), so neither way writes them.
 */
export const SECRET_FRAME_FIELDS: Readonly<Record<string, readonly string[]>> = {
  hello: ["token", "adminKey"],
  join: ["key", "invite"],
  created: ["key"],
  "invite-created": ["code"],
  auth: ["token"],
};

/** A copy of `frame` without its secret fields; anything that is not a frame comes back as it is. */
export function redactFrame(frame: unknown): unknown {
  if (typeof frame !== "object" || frame === null || !("type" in frame)) return frame;
  const fields = SECRET_FRAME_FIELDS[String(frame.type)];
  if (!fields) return frame;
  const copy: Record<string, unknown> = { ...frame };
  for (const field of fields) if (field in copy) copy[field] = REDACTED;
  return copy;
}

/**
 * pino redaction paths: names that are secrets wherever they appear (a JWT, the admin key, an
 * Authorization header, at the top or one level down), and each frame's secret fields under the
 * frame type's name. `key` and `code` alone are not secrets (error codes, close codes), so they
 * are redacted only inside their frames.
 */
export const LOG_REDACT_PATHS: readonly string[] = [
  ...["token", "adminKey", "authorization", "Authorization"].flatMap((name) => [name, `*.${name}`]),
  ...["req.headers.authorization", "headers.authorization", "*.headers.authorization", "request.headers.authorization"],
  ...Object.entries(SECRET_FRAME_FIELDS).flatMap(([type, fields]) =>
    fields.map((field) => (/^[A-Za-z_$][\w$]*$/.test(type) ? `${type}.${field}` : `["${type}"].${field}`)),
  ),
];

/** The logger options that keep secrets out: every frame serialized without them, the paths above censored. */
export function secretSafeLogging() {
  return {
    serializers: { req: requestLogFields, frame: redactFrame },
    redact: { paths: [...LOG_REDACT_PATHS], censor: REDACTED },
    // A frame logged as the record itself (`log.info(frame)`) has its fields at the top.
    formatters: { log: (record: Record<string, unknown>) => redactFrame(record) as Record<string, unknown> },
  };
}

/**
 * What the request log says about a request. Fastify's default writes the whole URL, query
 * included; protocol 1 clients (and any careless link) put session tokens there, so the log keeps
 * the path and the parameter names only, never a value.
 */
export function requestLogFields(request: FastifyRequest) {
  return {
    method: request.method,
    url: withoutQueryValues(request.url),
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  };
}

/** `/ws?room=a&session=s3cret` → `/ws?room=…&session=…`. */
export function withoutQueryValues(url: string): string {
  const queryAt = url.indexOf("?");
  if (queryAt === -1) return url;
  const names = url
    .slice(queryAt + 1)
    .split("&")
    .filter((pair) => pair.length > 0)
    .map((pair) => {
      const name = pair.split("=", 1)[0] ?? "";
      // A name can carry a secret too (`/ws?s3cret`): keep only plain, short ones.
      return /^[A-Za-z0-9_.-]{1,32}$/.test(name) ? `${name}=…` : "…";
    });
  return `${url.slice(0, queryAt)}?${names.join("&")}`;
}
