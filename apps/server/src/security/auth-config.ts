import { createPublicKey, type KeyObject } from "node:crypto";
import { z } from "zod";

/** The JWT verification algorithms a public key of each type may use: pinned, never read from a token. */
export const ALGORITHMS_BY_KEY_TYPE: Readonly<Record<string, readonly string[]>> = {
  rsa: ["RS256", "PS256"],
  "rsa-pss": ["PS256"],
  ec: ["ES256"],
  ed25519: ["EdDSA", "Ed25519"],
};
/** Every asymmetric algorithm a JWKS key may use; HS* never (a public key is no shared secret). */
export const JWKS_ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA", "Ed25519"] as const;
/** HS256 needs at least this many bytes of secret (RFC 7518 §3.2: at least the hash size). */
export const MIN_JWT_SECRET_BYTES = 32;

export type JwtKeySource =
  | { kind: "secret"; secret: Uint8Array }
  | { kind: "public-key"; key: KeyObject; algorithms: readonly string[] }
  | { kind: "jwks"; url: URL };

export interface JwtConfig {
  issuer: string;
  audience: string;
  key: JwtKeySource;
  /** A token whose `exp - iat` is longer is refused: a leaked long-lived token is a long-lived login. */
  maxLifetimeS: number;
  clockToleranceS: number;
  /** After `exp` plus this, the server closes the connection (4401) unless the client sent a fresh token. */
  expiryGraceS: number;
}

export type AuthConfig = { mode: "anonymous" } | ({ mode: "jwt" } & JwtConfig);

const seconds = (max: number) => z.coerce.number().int().min(0).max(max);

/** The variables of `AUTH=jwt` (spec §6); `config.ts` spreads them into the env schema. */
export const authEnvShape = {
  AUTH: z.enum(["anonymous", "jwt"]).default("anonymous"),
  JWT_ISSUER: z.string().min(1).optional(),
  JWT_AUDIENCE: z.string().min(1).optional(),
  JWT_SECRET: z
    .string()
    .refine((secret) => Buffer.byteLength(secret, "utf8") >= MIN_JWT_SECRET_BYTES, `must be at least ${MIN_JWT_SECRET_BYTES} bytes`)
    .optional(),
  /** PEM; `\n` may be written as the two characters backslash-n, as env files often must. */
  JWT_PUBLIC_KEY: z.string().min(1).optional(),
  JWT_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  JWT_MAX_LIFETIME_S: seconds(7 * 24 * 3600)
    .refine((value) => value > 0, "must be positive")
    .default(3600),
  JWT_CLOCK_TOLERANCE_S: seconds(600).default(5),
  JWT_EXPIRY_GRACE_S: seconds(3600).default(30),
};

const authEnvSchema = z.object(authEnvShape);
type AuthEnv = z.infer<typeof authEnvSchema>;
type Problem = { variable: string; message: string };

/** The JWT variables as one AuthConfig, or the problems, each naming its variable. */
export function authConfigFrom(env: AuthEnv): { config: AuthConfig } | { problems: Problem[] } {
  if (env.AUTH === "anonymous") return { config: { mode: "anonymous" } };
  const problems: Problem[] = [];
  if (!env.JWT_ISSUER) problems.push({ variable: "JWT_ISSUER", message: "is required when AUTH=jwt" });
  if (!env.JWT_AUDIENCE) problems.push({ variable: "JWT_AUDIENCE", message: "is required when AUTH=jwt" });
  const sources = (["JWT_SECRET", "JWT_PUBLIC_KEY", "JWT_JWKS_URL"] as const).filter((name) => env[name] !== undefined);
  if (sources.length !== 1) {
    problems.push({
      variable: sources[1] ?? "JWT_SECRET",
      message: `AUTH=jwt needs exactly one of JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS_URL (${sources.length === 0 ? "none is" : `${sources.join(" and ")} are`} set)`,
    });
  }
  const key = sources.length === 1 ? keySource(env, problems) : undefined;
  if (problems.length > 0 || !key || !env.JWT_ISSUER || !env.JWT_AUDIENCE) return { problems };
  return {
    config: {
      mode: "jwt",
      issuer: env.JWT_ISSUER,
      audience: env.JWT_AUDIENCE,
      key,
      maxLifetimeS: env.JWT_MAX_LIFETIME_S,
      clockToleranceS: env.JWT_CLOCK_TOLERANCE_S,
      expiryGraceS: env.JWT_EXPIRY_GRACE_S,
    },
  };
}

function keySource(env: AuthEnv, problems: Problem[]): JwtKeySource | undefined {
  if (env.JWT_SECRET !== undefined) return { kind: "secret", secret: new TextEncoder().encode(env.JWT_SECRET) };
  if (env.JWT_JWKS_URL !== undefined) {
    const url = new URL(env.JWT_JWKS_URL);
    // Keys fetched in clear text can be swapped on the way; only a loopback address may skip TLS (tests, sidecars).
    if (url.protocol === "http:" && !["localhost", "127.0.0.1", "[::1]"].includes(url.hostname)) {
      problems.push({ variable: "JWT_JWKS_URL", message: "must be https (http only for localhost)" });
      return undefined;
    }
    return { kind: "jwks", url };
  }
  const pem = (env.JWT_PUBLIC_KEY ?? "").replaceAll("\\n", "\n");
  if (/PRIVATE KEY/.test(pem)) {
    problems.push({ variable: "JWT_PUBLIC_KEY", message: "is a private key: give the server the public key only" });
    return undefined;
  }
  try {
    const key = createPublicKey(pem);
    const algorithms = ALGORITHMS_BY_KEY_TYPE[key.asymmetricKeyType ?? ""];
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (!algorithms || (key.asymmetricKeyType === "ec" && curve !== "prime256v1")) {
      problems.push({ variable: "JWT_PUBLIC_KEY", message: "must be an RSA, P-256 or Ed25519 public key" });
      return undefined;
    }
    return { kind: "public-key", key, algorithms };
  } catch {
    problems.push({ variable: "JWT_PUBLIC_KEY", message: "is not a PEM public key" });
    return undefined;
  }
}
