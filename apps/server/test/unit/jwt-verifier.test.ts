import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { exportJWK, SignJWT, UnsecuredJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config";
import type { JwtConfig } from "../../src/security/auth-config";
import { createJwtVerifier } from "../../src/security/jwt-verifier";

const NOW_S = 1_800_000_000;
const now = () => NOW_S * 1000;
const SECRET = "an-hs256-secret-of-at-least-32-bytes!";
const BASE = { AUTH: "jwt", JWT_ISSUER: "https://host.example", JWT_AUDIENCE: "chatroom" };

function jwtConfig(env: Record<string, string>): JwtConfig {
  const { auth } = loadConfig({ ...BASE, ...env });
  if (auth.mode !== "jwt") throw new Error("not jwt");
  return auth;
}

/** A token as the host app would sign it; `claims` and `options` bend it into each hostile case. */
function token(
  key: KeyObject | Uint8Array,
  alg: string,
  claims: Record<string, unknown> = {},
  /** `iat: null`: no iat claim. */
  options: { iss?: string; aud?: string; iat?: number | null; exp?: number; kid?: string } = {},
): Promise<string> {
  const jwt = new SignJWT({ sub: "user-1", name: "alice", rooms: { team: "moderator" }, ...claims })
    .setProtectedHeader({ alg, ...(options.kid ? { kid: options.kid } : {}) })
    .setIssuer(options.iss ?? BASE.JWT_ISSUER)
    .setAudience(options.aud ?? BASE.JWT_AUDIENCE)
    .setExpirationTime(options.exp ?? NOW_S + 600);
  if (options.iat !== null) jwt.setIssuedAt(options.iat ?? NOW_S - 60);
  return jwt.sign(key);
}

const hs = new TextEncoder().encode(SECRET);
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const rsaPem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const ed = generateKeyPairSync("ed25519");

describe("JWT verification with an HS256 secret", () => {
  const verifier = createJwtVerifier(jwtConfig({ JWT_SECRET: SECRET }), { now });

  it("accepts a good token and returns sub, name, rooms and exp", async () => {
    expect(await verifier.verify(await token(hs, "HS256"))).toEqual({
      ok: true,
      token: { sub: "user-1", name: "alice", rooms: { team: "moderator" }, exp: NOW_S + 600 },
    });
  });

  it.each([
    ["forged (another secret)", () => token(new TextEncoder().encode("x".repeat(40)), "HS256")],
    ["wrong audience", () => token(hs, "HS256", {}, { aud: "someone-else" })],
    ["wrong issuer", () => token(hs, "HS256", {}, { iss: "https://evil.example" })],
    ["alg none", async () => new UnsecuredJWT({ sub: "user-1", iss: BASE.JWT_ISSUER, aud: BASE.JWT_AUDIENCE, exp: NOW_S + 60 }).encode()],
    ["HS512 (not the pinned HS256)", () => token(hs, "HS512")],
    ["too long-lived (2 h, the limit is 1 h)", () => token(hs, "HS256", {}, { iat: NOW_S - 60, exp: NOW_S - 60 + 7200 })],
    ["without iat and exp 2 h away", () => token(hs, "HS256", {}, { iat: null, exp: NOW_S + 7200 })],
    ["issued in the future", () => token(hs, "HS256", {}, { iat: NOW_S + 600, exp: NOW_S + 900 })],
    ["a role the rooms claim may not give", () => token(hs, "HS256", { rooms: { team: "admin" } })],
    ["a bad room name in the rooms claim", () => token(hs, "HS256", { rooms: { "Bad Room": "member" } })],
    ["an empty sub", () => token(hs, "HS256", { sub: "" })],
    [
      "tampered payload",
      async () => {
        const [header, , signature] = (await token(hs, "HS256")).split(".");
        const payload = Buffer.from(
          JSON.stringify({ sub: "admin", iss: BASE.JWT_ISSUER, aud: BASE.JWT_AUDIENCE, exp: NOW_S + 60 }),
        ).toString("base64url");
        return `${header}.${payload}.${signature}`;
      },
    ],
    ["junk", async () => "not.a.jwt"],
    ["too long", async () => `${"a".repeat(9000)}.b.c`],
  ])("refuses a token that is %s as token_invalid", async (_label, make) => {
    const result = await verifier.verify(await make());
    expect(result).toMatchObject({ ok: false, code: "token_invalid" });
  });

  it("accepts a token without iat whose exp is within the longest lifetime from now", async () => {
    expect((await verifier.verify(await token(hs, "HS256", {}, { iat: null, exp: NOW_S + 3000 }))).ok).toBe(true);
  });

  it("refuses an expired token as token_expired, but accepts one within the clock tolerance", async () => {
    expect(await verifier.verify(await token(hs, "HS256", {}, { iat: NOW_S - 700, exp: NOW_S - 6 }))).toMatchObject({
      ok: false,
      code: "token_expired",
    });
    expect((await verifier.verify(await token(hs, "HS256", {}, { iat: NOW_S - 700, exp: NOW_S - 4 }))).ok).toBe(true);
  });

  it("says why in words that hold no token", async () => {
    const long = await token(hs, "HS256", {}, { exp: NOW_S + 7200 });
    const result = await verifier.verify(long);
    expect(result).toMatchObject({ ok: false, reason: expect.stringContaining("JWT_MAX_LIFETIME_S") });
    if (!result.ok) for (const part of long.split(".")) expect(result.reason).not.toContain(part.slice(0, 12));
  });
});

describe("JWT verification with a public key", () => {
  it("accepts RS256 and PS256 for an RSA key", async () => {
    const verifier = createJwtVerifier(jwtConfig({ JWT_PUBLIC_KEY: rsaPem }), { now });
    expect((await verifier.verify(await token(rsa.privateKey, "RS256"))).ok).toBe(true);
    expect((await verifier.verify(await token(rsa.privateKey, "PS256"))).ok).toBe(true);
  });

  it("refuses key confusion: an HS256 token whose secret is the RSA public key's PEM", async () => {
    const verifier = createJwtVerifier(jwtConfig({ JWT_PUBLIC_KEY: rsaPem }), { now });
    for (const secret of [rsaPem, rsaPem.trim()]) {
      const confused = await token(new TextEncoder().encode(secret), "HS256");
      expect(await verifier.verify(confused)).toMatchObject({ ok: false, code: "token_invalid" });
    }
  });

  it("refuses a token signed by another key or with another key type's algorithm", async () => {
    const verifier = createJwtVerifier(jwtConfig({ JWT_PUBLIC_KEY: rsaPem }), { now });
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(await verifier.verify(await token(other.privateKey, "RS256"))).toMatchObject({ code: "token_invalid" });
    expect(await verifier.verify(await token(ec.privateKey, "ES256"))).toMatchObject({ code: "token_invalid" });
  });

  it("pins ES256 for a P-256 key and EdDSA for an Ed25519 key, with \\n written out in the env", async () => {
    const ecPem = ec.publicKey.export({ type: "spki", format: "pem" }).toString().replaceAll("\n", "\\n");
    const ecVerifier = createJwtVerifier(jwtConfig({ JWT_PUBLIC_KEY: ecPem }), { now });
    expect((await ecVerifier.verify(await token(ec.privateKey, "ES256"))).ok).toBe(true);
    const edPem = ed.publicKey.export({ type: "spki", format: "pem" }).toString();
    const edVerifier = createJwtVerifier(jwtConfig({ JWT_PUBLIC_KEY: edPem }), { now });
    expect((await edVerifier.verify(await token(ed.privateKey, "EdDSA"))).ok).toBe(true);
    expect(await edVerifier.verify(await token(ec.privateKey, "ES256"))).toMatchObject({ code: "token_invalid" });
  });
});

describe("JWT verification with a JWKS served over HTTP", () => {
  let server: Server;
  let fetches = 0;
  let url: string;

  beforeAll(async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: "k1", use: "sig" };
    server = createServer((request, response) => {
      fetches++;
      if (request.url !== "/.well-known/jwks.json") return void response.writeHead(404).end();
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("fetches the key set, verifies with the key the kid names, and refuses other keys and HS tokens", async () => {
    const verifier = createJwtVerifier(jwtConfig({ JWT_JWKS_URL: url }), { now });
    expect(await verifier.verify(await token(rsa.privateKey, "RS256", {}, { kid: "k1" }))).toMatchObject({
      ok: true,
      token: { sub: "user-1" },
    });
    expect(fetches).toBe(1);
    const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
    expect(await verifier.verify(await token(other.privateKey, "RS256", {}, { kid: "k1" }))).toMatchObject({ code: "token_invalid" });
    expect(await verifier.verify(await token(hs, "HS256", {}, { kid: "k1" }))).toMatchObject({ code: "token_invalid" });
    expect(await verifier.verify(await token(rsa.privateKey, "RS256", {}, { kid: "k1", aud: "other" }))).toMatchObject({
      code: "token_invalid",
    });
  });
});
