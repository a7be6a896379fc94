import { ROOM_PATTERN, SECRET_PATTERN } from "@chatroom/protocol";
import type { KeyValueStore } from "./storage";

/** What the browser keeps to prove its rights: a pass per room, invites not yet redeemed, the admin key. */
interface StoredCredentials {
  passes: Record<string, string>;
  invites: Record<string, string>;
  adminKey?: string;
}

const CREDENTIALS_KEY = "chatroom:credentials";

/**
 * The browser's capabilities, shared by all its tabs (the page passes localStorage itself, not a
 * tab's slot-scoped store): every tab sends a room's pass on `join`, so a pass one tab got (an
 * owner link opened, an invite redeemed) makes the browser a member in all of them, across
 * restarts. Read on every use, so a pass another tab stored a moment ago counts. Secrets never go
 * in a URL the server receives: links carry them in the fragment, and they leave here only in frames.
 */
export class CredentialStore {
  constructor(private readonly store: KeyValueStore) {}

  /** The room's pass: an owner link's key, or the one a redeemed invite gave. */
  pass(room: string): string | undefined {
    return this.read().passes[room];
  }

  setPass(room: string, key: string): void {
    if (!ROOM_PATTERN.test(room) || !SECRET_PATTERN.test(key)) return;
    this.update((stored) => {
      stored.passes[room] = key;
      // A pass makes an invite for the same room pointless: it is not redeemed again.
      delete stored.invites[room];
    });
  }

  /** The server revoked the room's pass (we were kicked or banned, or it refused it): it is not sent again. */
  forgetPass(room: string): void {
    if (this.read().passes[room] === undefined) return;
    this.update((stored) => {
      delete stored.passes[room];
    });
  }

  /** An invite waiting to be redeemed by the room's next join. */
  invite(room: string): string | undefined {
    return this.read().invites[room];
  }

  setInvite(room: string, code: string): void {
    if (!ROOM_PATTERN.test(room) || !SECRET_PATTERN.test(code)) return;
    this.update((stored) => {
      stored.invites[room] = code;
    });
  }

  /** The invite was redeemed, or refused: it is not sent again. */
  forgetInvite(room: string): void {
    if (this.read().invites[room] === undefined) return;
    this.update((stored) => {
      delete stored.invites[room];
    });
  }

  adminKey(): string | undefined {
    return this.read().adminKey;
  }

  setAdminKey(key: string): void {
    if (!SECRET_PATTERN.test(key)) return;
    this.update((stored) => {
      stored.adminKey = key;
    });
  }

  /** What to send in a room's `join`: its pass, else an invite to redeem, else nothing. */
  joinProof(room: string): { key: string } | { invite: string } | Record<string, never> {
    const stored = this.read();
    const key = stored.passes[room];
    if (key !== undefined) return { key };
    const invite = stored.invites[room];
    return invite !== undefined ? { invite } : {};
  }

  private read(): StoredCredentials {
    let parsed: unknown;
    try {
      parsed = JSON.parse(this.store.getItem(CREDENTIALS_KEY) ?? "null");
    } catch {
      parsed = null;
    }
    // Storage is outside our control: anything that is not a well-formed secret is left out.
    const value = (typeof parsed === "object" && parsed !== null ? parsed : {}) as Record<string, unknown>;
    const adminKey = typeof value.adminKey === "string" && SECRET_PATTERN.test(value.adminKey) ? value.adminKey : undefined;
    return { passes: secretsByRoom(value.passes), invites: secretsByRoom(value.invites), ...(adminKey ? { adminKey } : {}) };
  }

  private update(change: (stored: StoredCredentials) => void): void {
    const stored = this.read();
    change(stored);
    try {
      this.store.setItem(CREDENTIALS_KEY, JSON.stringify(stored));
    } catch {
      // Full or disabled storage: the capability still works for this page's life.
    }
  }
}

function secretsByRoom(value: unknown): Record<string, string> {
  const result: Record<string, string> = {};
  if (typeof value !== "object" || value === null) return result;
  for (const [room, secret] of Object.entries(value)) {
    if (ROOM_PATTERN.test(room) && typeof secret === "string" && SECRET_PATTERN.test(secret)) result[room] = secret;
  }
  return result;
}
