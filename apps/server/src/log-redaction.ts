import type { FastifyRequest } from "fastify";

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
