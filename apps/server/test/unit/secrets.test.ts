import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  addressHash,
  constantTimeEqual,
  hashesEqual,
  hashSecret,
  looksLikeSecret,
  newSecret,
  SECRET_BYTES,
  secretMatches,
} from "../../src/security/secrets";

describe("secrets", () => {
  it("makes 32 random bytes as 43 base64url characters, a new one each time", () => {
    const secrets = Array.from({ length: 100 }, () => newSecret());
    for (const secret of secrets) {
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(Buffer.from(secret, "base64url")).toHaveLength(SECRET_BYTES);
      expect(looksLikeSecret(secret)).toBe(true);
    }
    expect(new Set(secrets).size).toBe(100);
  });

  it("takes its randomness from the injected source", () => {
    expect(newSecret((size) => Buffer.alloc(size, 0xff))).toBe(`${"_".repeat(42)}8`);
  });

  it("tells a capability's shape from junk", () => {
    for (const junk of [undefined, 42, "", "short", `${"a".repeat(43)}=`, "a".repeat(44), `${"a".repeat(42)}!`]) {
      expect(looksLikeSecret(junk)).toBe(false);
    }
  });

  it("hashes with SHA-256 to hex (the NIST vector for 'abc')", () => {
    expect(hashSecret("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(hashSecret(newSecret())).toMatch(/^[0-9a-f]{64}$/);
  });

  it("confirms a secret against its stored hash, and nothing else", () => {
    const secret = newSecret();
    const stored = hashSecret(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(newSecret(), stored)).toBe(false);
    expect(secretMatches(secret.slice(0, -1), stored)).toBe(false);
    // The hash itself is not the secret.
    expect(secretMatches(stored, stored)).toBe(false);
    // Malformed stored hashes never match (no timingSafeEqual length error either).
    for (const bad of ["", stored.slice(0, 62), `${stored}00`, `zz${stored.slice(2)}`]) expect(secretMatches(secret, bad)).toBe(false);
    expect(hashesEqual(stored, stored.toUpperCase())).toBe(true);
  });

  it("compares bearer tokens of any length in constant time", () => {
    const token = randomBytes(40).toString("hex");
    expect(constantTimeEqual(token, token)).toBe(true);
    expect(constantTimeEqual(token.slice(1), token)).toBe(false);
    expect(constantTimeEqual("", token)).toBe(false);
  });

  it("hashes an IP with the server secret: stable, secret-dependent, never the address", () => {
    // A fixed secret: a random one made this test fail now and then, when the hex of the hash
    // happened to contain "203". The pinned value is HMAC-SHA256(secret, "203.0.113.7").
    const secret = "test-server-secret-0123456789abcdef";
    const hashed = addressHash("203.0.113.7", secret);
    expect(hashed).toBe("404d7610a0f3a32d7eb413ff85e4921ae38499f85cacb02ed2fedc075e9a05f5");
    expect(addressHash("203.0.113.7", secret)).toBe(hashed);
    expect(addressHash("::ffff:203.0.113.7", secret)).toBe(hashed);
    expect(addressHash("203.0.113.8", secret)).not.toBe(hashed);
    expect(addressHash("203.0.113.7", newSecret())).not.toBe(hashed);
    expect(addressHash("2001:DB8::1", secret)).toBe(addressHash("2001:db8::1", secret));
  });
});
