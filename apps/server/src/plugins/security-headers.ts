import type { IncomingMessage } from "node:http";
import helmet from "@fastify/helmet";
import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { AppConfig } from "../config";

/** A Host header we are willing to echo into the CSP: host name or [v6], optional port, nothing else. */
const SAFE_HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;

/**
 * The page's own WebSocket origin. Browsers before CSP Level 3 do not let `'self'` match ws:/wss:,
 * so both schemes of the requested host are named (a TLS proxy in front may turn http into https).
 */
export function ownSocketSources(request: IncomingMessage): string {
  const host = request.headers.host;
  if (host === undefined || !SAFE_HOST.test(host)) return "";
  return `ws://${host} wss://${host}`;
}

/**
 * Security headers for every HTTP response, with a strict CSP: the built page loads only its own
 * bundled script and stylesheet and talks only to its own origin. No inline script or style is
 * allowed. React's `style={...}` props are unaffected because React sets them through the CSSOM,
 * which CSP does not govern.
 */
export default fp(
  async function securityHeaders(app: FastifyInstance, { config }: { config: AppConfig }) {
    await app.register(helmet, {
      contentSecurityPolicy: {
        // No helmet defaults: they add `upgrade-insecure-requests`, which would turn the ws:// of
        // a plain-http install (localhost, a LAN box) into wss:// and break it.
        useDefaults: false,
        directives: {
          "default-src": ["'self'"],
          "script-src": ["'self'"],
          "script-src-attr": ["'none'"],
          "style-src": ["'self'"],
          "img-src": ["'self'", "data:"],
          "font-src": ["'self'"],
          "connect-src": ["'self'", ownSocketSources],
          "object-src": ["'none'"],
          "base-uri": ["'self'"],
          "form-action": ["'self'"],
          "frame-ancestors": ["'none'"],
        },
      },
      // HSTS is only honoured over https, and pinning localhost to https for a year breaks every
      // other dev server on it; production deployments terminate TLS and get it.
      strictTransportSecurity: config.env === "production" ? { maxAge: 15_552_000, includeSubDomains: false } : false,
      referrerPolicy: { policy: "no-referrer" },
      frameguard: { action: "deny" },
    });
  },
  { name: "security-headers", fastify: "5.x" },
);
