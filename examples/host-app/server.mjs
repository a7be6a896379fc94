// A host site that embeds Chatroom for its own users (AUTH=jwt): plain node:http and jose.
// Its backend signs a short-lived HS256 token for the logged-in user; the page fetches it with a
// POST (never in a URL) and speaks the chat protocol over a WebSocket with the token in `hello`.
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { SignJWT } from "jose";
import { chatPage, loginPage } from "./pages.mjs";

const env = process.env;
const PORT = Number(env.PORT ?? 3000);
const CHAT_URL = env.CHAT_URL ?? "http://127.0.0.1:8080";
const ISSUER = env.JWT_ISSUER ?? "http://127.0.0.1:3000";
const AUDIENCE = env.JWT_AUDIENCE ?? "chatroom";
const TOKEN_LIFETIME_S = 600;
if (Buffer.byteLength(env.JWT_SECRET ?? "") < 32) {
  console.error("JWT_SECRET must be set to the chat server's secret (at least 32 bytes)");
  process.exit(2);
}
const secret = new TextEncoder().encode(env.JWT_SECRET);

/** The host site's users: the chat knows them by `sub` and shows the name the token gives. */
const USERS = { alice: { id: "user-1001", name: "Alice" }, bob: { id: "user-1002", name: "Bob" } };

/** A token for one user, for TOKEN_LIFETIME_S. A real site takes the user from its own session. */
async function tokenFor(user) {
  const exp = Math.floor(Date.now() / 1000) + TOKEN_LIFETIME_S;
  const token = await new SignJWT({ name: user.name })
    .setProtectedHeader({ alg: "HS256" })
    .setSubject(user.id)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(exp)
    .sign(secret);
  return { token, exp };
}

async function readJson(request) {
  let body = "";
  for await (const chunk of request) {
    body += chunk;
    if (body.length > 1024) throw new Error("body too large");
  }
  return JSON.parse(body);
}

function send(response, status, type, body, headers = {}) {
  response.writeHead(status, { "content-type": type, "cache-control": "no-store", ...headers });
  response.end(body);
}

const server = createServer(async (request, response) => {
  const url = new URL(request.url ?? "/", "http://host");
  try {
    if (request.method === "GET" && url.pathname === "/")
      return send(response, 200, "text/html; charset=utf-8", loginPage(Object.keys(USERS)));
    if (request.method === "GET" && url.pathname === "/login") {
      // The demo's login: the user picked on the page. It is no secret; the token is fetched by the page.
      const user = url.searchParams.get("user") ?? "";
      if (!Object.hasOwn(USERS, user)) return send(response, 404, "text/plain", "no such user");
      const nonce = randomBytes(16).toString("base64");
      const csp = `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'unsafe-inline'; connect-src 'self' ${CHAT_URL.replace(/^http/, "ws")}`;
      return send(response, 200, "text/html; charset=utf-8", chatPage({ user, chatUrl: CHAT_URL, nonce }), {
        "content-security-policy": csp,
      });
    }
    if (request.method === "POST" && url.pathname === "/token") {
      const { user } = await readJson(request);
      if (typeof user !== "string" || !Object.hasOwn(USERS, user))
        return send(response, 403, "application/json", '{"error":"not logged in"}');
      return send(response, 200, "application/json", JSON.stringify(await tokenFor(USERS[user])));
    }
    send(response, 404, "text/plain", "not found");
  } catch {
    send(response, 400, "text/plain", "bad request");
  }
});

server.listen(PORT, "127.0.0.1", () => console.log(`host app on http://127.0.0.1:${server.address().port}, chat at ${CHAT_URL}`));
