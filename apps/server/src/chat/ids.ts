import { randomBytes } from "node:crypto";

/** Where new identities come from; tests may inject a predictable source. */
export interface ChatIds {
  sessionToken(): string;
  userId(): string;
  /** A name for a joiner that asked for none. */
  guestName(): string;
}

export function randomChatIds(random: (size: number) => Buffer = randomBytes): ChatIds {
  return {
    sessionToken: () => random(18).toString("base64url"),
    userId: () => `u_${random(9).toString("base64url")}`,
    guestName: () => `guest-${random(4).readUInt32BE(0).toString(36).padStart(4, "0").slice(-4)}`,
  };
}
