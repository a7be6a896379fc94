import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config";

const JWT = { AUTH: "jwt", JWT_ISSUER: "https://host.example", JWT_AUDIENCE: "chatroom" };
const SECRET = "s".repeat(32);
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const publicPem = rsa.publicKey.export({ type: "spki", format: "pem" }).toString();
const privatePem = rsa.privateKey.export({ type: "pkcs8", format: "pem" }).toString();

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(Object.keys(env))}`);
}

describe("AUTH and the JWT variables", () => {
  it("default to anonymous with no admin API", () => {
    expect(loadConfig({})).toMatchObject({ auth: { mode: "anonymous" }, adminApiToken: undefined, publicUrl: undefined });
  });

  it("give a JWT config with the documented defaults", () => {
    expect(loadConfig({ ...JWT, JWT_SECRET: SECRET }).auth).toMatchObject({
      mode: "jwt",
      issuer: "https://host.example",
      audience: "chatroom",
      key: { kind: "secret" },
      maxLifetimeS: 3600,
      clockToleranceS: 5,
      expiryGraceS: 30,
    });
    expect(loadConfig({ ...JWT, JWT_PUBLIC_KEY: publicPem }).auth).toMatchObject({
      key: { kind: "public-key", algorithms: ["RS256", "PS256"] },
    });
    expect(loadConfig({ ...JWT, JWT_JWKS_URL: "https://idp.example/jwks.json" }).auth).toMatchObject({ key: { kind: "jwks" } });
  });

  it.each([
    ["no issuer", { AUTH: "jwt", JWT_AUDIENCE: "a", JWT_SECRET: SECRET }, "JWT_ISSUER"],
    ["no audience", { AUTH: "jwt", JWT_ISSUER: "i", JWT_SECRET: SECRET }, "JWT_AUDIENCE"],
    ["no key", JWT, "JWT_SECRET"],
    ["two keys", { ...JWT, JWT_SECRET: SECRET, JWT_JWKS_URL: "https://idp.example/jwks" }, "JWT_JWKS_URL"],
    ["a 31-byte secret", { ...JWT, JWT_SECRET: "s".repeat(31) }, "JWT_SECRET"],
    ["a private key as the public key", { ...JWT, JWT_PUBLIC_KEY: privatePem }, "JWT_PUBLIC_KEY"],
    ["junk as the public key", { ...JWT, JWT_PUBLIC_KEY: "not a key" }, "JWT_PUBLIC_KEY"],
    ["a clear-text JWKS URL to another host", { ...JWT, JWT_JWKS_URL: "http://idp.example/jwks" }, "JWT_JWKS_URL"],
    ["a lifetime of 0", { ...JWT, JWT_SECRET: SECRET, JWT_MAX_LIFETIME_S: "0" }, "JWT_MAX_LIFETIME_S"],
    ["an unknown mode", { AUTH: "oauth" }, "AUTH"],
    ["a short admin API token", { ADMIN_API_TOKEN: "t".repeat(31) }, "ADMIN_API_TOKEN"],
  ])("refuse %s at start-up, naming the variable", (_label, env, variable) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^${variable}[=:]`));
  });

  it("never echo a secret value in the error", () => {
    const short = "short-secret-value";
    for (const env of [{ ...JWT, JWT_SECRET: short }, { ADMIN_API_TOKEN: short }] as Record<string, string>[]) {
      expect(problemsOf(env).join("\n")).not.toContain(short);
    }
  });
});
