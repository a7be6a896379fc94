import { ROOM_PATTERN } from "@chatroom/protocol";
import { createRemoteJWKSet, errors, type JWTPayload, jwtVerify } from "jose";
import { z } from "zod";
import { JWKS_ALGORITHMS, type JwtConfig } from "./auth-config";

/** A JWT is a header line of an HTTP request at most; anything longer is junk, refused before parsing. */
const MAX_TOKEN_CHARS = 8 * 1024;

/** The claims a host app's token carries (spec §6), beyond what jose checks (iss, aud, exp, signature). */
const claimsSchema = z.object({
  sub: z.string().min(1).max(256),
  exp: z.number().int(),
  iat: z.number().int().optional(),
  name: z.string().max(256).optional(),
  rooms: z.record(z.string().regex(ROOM_PATTERN), z.enum(["member", "moderator", "owner"])).optional(),
});

export type RoomClaims = Record<string, "member" | "moderator" | "owner">;

export interface VerifiedToken {
  /** The user id: the host app's user, under its issuer. */
  sub: string;
  /** The name the host app gives the user (still checked and made unique per room like any name). */
  name: string | undefined;
  rooms: RoomClaims;
  /** Seconds since the epoch. */
  exp: number;
}

export type TokenRefusalCode = "token_invalid" | "token_expired";

/** `reason` is for logs and the error frame: it never holds the token or a claim value. */
export type TokenCheck = { ok: true; token: VerifiedToken } | { ok: false; code: TokenRefusalCode; reason: string };

export interface JwtVerifier {
  verify(token: unknown): Promise<TokenCheck>;
}

export interface JwtVerifierOptions {
  /** Milliseconds since the epoch; injected so tests hold the clock. */
  now?: () => number;
  /** How long a JWKS fetch may take. */
  jwksTimeoutMs?: number;
}

/**
 * Verifies host-app JWTs with jose. The algorithm list comes from the configured key, never from
 * the token: an HS secret takes HS256 only, a public key the algorithms of its type, a JWKS the
 * asymmetric ones. So `alg: none` and HS/RS confusion (a public key used as an HMAC secret) are
 * refused, and `exp - iat` may not pass `JWT_MAX_LIFETIME_S`.
 */
export function createJwtVerifier(config: JwtConfig, options: JwtVerifierOptions = {}): JwtVerifier {
  const now = options.now ?? Date.now;
  const { key } = config;
  const verifyWithKey =
    key.kind === "jwks"
      ? (() => {
          const jwks = createRemoteJWKSet(key.url, { timeoutDuration: options.jwksTimeoutMs ?? 5_000 });
          return (token: string, verifyOptions: Parameters<typeof jwtVerify>[2]) => jwtVerify(token, jwks, verifyOptions);
        })()
      : (token: string, verifyOptions: Parameters<typeof jwtVerify>[2]) =>
          jwtVerify(token, key.kind === "secret" ? key.secret : key.key, verifyOptions);
  const algorithms = key.kind === "secret" ? ["HS256"] : key.kind === "public-key" ? [...key.algorithms] : [...JWKS_ALGORITHMS];

  return {
    async verify(token) {
      if (typeof token !== "string" || token.length === 0 || token.length > MAX_TOKEN_CHARS) {
        return refuse("token_invalid", "the token is missing or too long");
      }
      const nowMs = now();
      let payload: JWTPayload;
      try {
        ({ payload } = await verifyWithKey(token, {
          algorithms,
          issuer: config.issuer,
          audience: config.audience,
          clockTolerance: config.clockToleranceS,
          currentDate: new Date(nowMs),
          requiredClaims: ["sub", "exp"],
        }));
      } catch (error) {
        if (error instanceof errors.JWTExpired) return refuse("token_expired", "the token has expired");
        return refuse("token_invalid", `the token was refused (${errorCode(error)})`);
      }
      const claims = claimsSchema.safeParse(payload);
      if (!claims.success) {
        return refuse("token_invalid", `the token's claims are invalid (${claims.error.issues[0]?.path.join(".") || "claims"})`);
      }
      const { sub, exp, iat, name, rooms } = claims.data;
      const nowS = Math.floor(nowMs / 1000);
      if (iat !== undefined && iat > nowS + config.clockToleranceS) return refuse("token_invalid", "the token was issued in the future");
      const lifetime = exp - (iat ?? nowS);
      if (lifetime > config.maxLifetimeS) {
        return refuse("token_invalid", `the token lives ${lifetime} s, longer than JWT_MAX_LIFETIME_S (${config.maxLifetimeS} s)`);
      }
      return { ok: true, token: { sub, name, rooms: rooms ?? {}, exp } };
    },
  };
}

function refuse(code: TokenRefusalCode, reason: string): TokenCheck {
  return { ok: false, code, reason };
}

/** jose's stable error code (ERR_JWS_SIGNATURE_VERIFICATION_FAILED…), never its message (which may quote claims). */
function errorCode(error: unknown): string {
  return error instanceof errors.JOSEError ? error.code : "unreadable";
}
