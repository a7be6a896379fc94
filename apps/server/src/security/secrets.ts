import { createHash, createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** Every capability (pass, invite code, admin key) is this many random bytes: 43 base64url characters. */
export const SECRET_BYTES = 32;
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A fresh capability: 32 random bytes, base64url, safe in a URL fragment. */
export function newSecret(random: (size: number) => Buffer = randomBytes): string {
  return random(SECRET_BYTES).toString("base64url");
}

/** Whether `text` has the shape of a capability, checked before hashing so junk is refused cheaply. */
export function looksLikeSecret(text: unknown): text is string {
  return typeof text === "string" && SECRET_PATTERN.test(text);
}

/** What the store keeps of a secret: SHA-256, hex. A leaked table lets nobody in. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/**
 * Whether `secret` hashes to `storedHash`, compared in constant time on the hash bytes, so the
 * time taken says nothing about how much of a guess was right. A malformed stored hash never matches.
 */
export function secretMatches(secret: string, storedHash: string): boolean {
  return hashesEqual(hashSecret(secret), storedHash);
}

/** Two SHA-256 hex digests, compared in constant time. */
export function hashesEqual(one: string, other: string): boolean {
  const a = Buffer.from(one, "hex");
  const b = Buffer.from(other, "hex");
  // Buffer.from drops what is not hex: a length check on both sides refuses a truncated or bad digest.
  if (a.length !== 32 || b.length !== 32 || one.length !== 64 || other.length !== 64) return false;
  return timingSafeEqual(a, b);
}

/** Two strings of any length (a bearer token against the configured one) in constant time, via their digests. */
export function constantTimeEqual(given: string, expected: string): boolean {
  return timingSafeEqual(createHash("sha256").update(given).digest(), createHash("sha256").update(expected).digest());
}

/**
 * What an address ban stores of an IP: HMAC-SHA256 with a server secret, hex. The same address
 * always gives the same value (so a ban matches) but the value does not give the address back,
 * and without the secret nobody can test guesses. IPv4-mapped IPv6 (`::ffff:1.2.3.4`) is the IPv4 address.
 */
export function addressHash(ip: string, serverSecret: string): string {
  const address = ip.toLowerCase().replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, "$1");
  return createHmac("sha256", serverSecret).update(address, "utf8").digest("hex");
}
