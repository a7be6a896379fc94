import { existsSync } from "node:fs";
import { join } from "node:path";
import type { FastifyInstance } from "fastify";

/** Whether `root` holds a built page (the same test the web-app plugin makes before serving it). */
export function webAppBuilt(root: string): boolean {
  return existsSync(join(root, "index.html"));
}

/** Plain HTML with nothing inline, so the strict CSP has nothing to block. */
export const WEB_NOT_BUILT_PAGE = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Chatroom: page not built</title></head>
<body>
<h1>The chat page is not served on this port</h1>
<p>This is the Chatroom server's API and WebSocket port, and the web app has not been built.</p>
<ul>
<li>Under <code>pnpm dev</code>, open the address it prints last: Vite's dev server
(<code>http://localhost:5173</code> unless <code>WEB_PORT</code> or <code>WEB_HOST</code> say otherwise).</li>
<li>To serve the page from this port, run <code>pnpm build</code> and start the server again.</li>
</ul>
</body>
</html>
`;

/**
 * Registered by the server entry only when the page is not built: `GET /` then explains where the
 * page is instead of answering a bare JSON 404. Still a 404: there is no page here.
 */
export default async function webNotBuiltRoutes(app: FastifyInstance) {
  app.get("/", async (_request, reply) => reply.code(404).type("text/html; charset=utf-8").send(WEB_NOT_BUILT_PAGE));
}
