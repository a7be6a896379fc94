import { generateKeyPairSync, type KeyObject } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";

/** The issuer and audience every test host app signs for. */
export const TEST_ISSUER = "https://host.example";
export const TEST_AUDIENCE = "chatroom";
/** An HS256 secret of the 32 bytes the server asks for. */
export const TEST_JWT_SECRET = "test-host-app-hs256-secret-0123456789";

/** A server env for `AUTH=jwt` with the test HS256 secret. */
export function hsServerEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { AUTH: "jwt", JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE, JWT_SECRET: TEST_JWT_SECRET, ...extra };
}

export interface RsaHostApp {
  privateKey: KeyObject;
  /** The PEM the server is given as JWT_PUBLIC_KEY, and what a key-confusion attacker uses as an HMAC secret. */
  publicPem: string;
  env: Record<string, string>;
}

/** A host app that signs RS256; its server knows only the public key. */
export function rsaHostApp(): RsaHostApp {
  const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: "spki", format: "pem" }).toString();
  return {
    privateKey,
    publicPem,
    env: { AUTH: "jwt", JWT_ISSUER: TEST_ISSUER, JWT_AUDIENCE: TEST_AUDIENCE, JWT_PUBLIC_KEY: publicPem },
  };
}

export interface TokenOptions {
  /** Seconds since the epoch the token is issued at; the real clock unless given. */
  iat?: number;
  /** Lifetime from `iat` in seconds (600 unless given); negative for a token that has expired. */
  lifetimeS?: number;
  alg?: string;
  iss?: string;
  aud?: string;
  /** The key: the test HS256 secret unless given. */
  key?: KeyObject | Uint8Array;
}

/** A token as a host app's backend signs it: `sub`, `name`, `rooms`, `iat`, `exp`, `iss`, `aud`. */
export function signToken(
  claims: { sub: string; name?: string; rooms?: Record<string, string> },
  options: TokenOptions = {},
): Promise<string> {
  const iat = options.iat ?? Math.floor(Date.now() / 1000);
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: options.alg ?? "HS256" })
    .setIssuer(options.iss ?? TEST_ISSUER)
    .setAudience(options.aud ?? TEST_AUDIENCE)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (options.lifetimeS ?? 600))
    .sign(options.key ?? new TextEncoder().encode(TEST_JWT_SECRET));
}

/** `alg: none`: a token with no signature at all, claiming to be `sub`. */
export function unsignedToken(sub: string, nowS = Math.floor(Date.now() / 1000)): string {
  return new UnsecuredJWT({ sub, name: sub })
    .setIssuer(TEST_ISSUER)
    .setAudience(TEST_AUDIENCE)
    .setIssuedAt(nowS)
    .setExpirationTime(nowS + 600)
    .encode();
}
