import type { SettingStore } from "../backend/setting-store";
import { hashSecret, looksLikeSecret, newSecret, secretMatches } from "./secrets";

/**
 * Where the server keeps the hash of its one admin key (spec §2): a setting of the backend. Only
 * the SHA-256 hex of the key is stored, so a copy of the store gives nobody admin rights; `set`
 * replaces it, so the previous key stops working at once.
 */
export type AdminKeyStore = SettingStore;

/** `<base>/#admin=<key>`: the key sits in the fragment, which browsers never send to the server. */
export function adminLink(baseUrl: string, key: string): string {
  return `${baseUrl.replace(/\/+$/, "")}/#admin=${key}`;
}

/** The line printed to stdout, never through the logger (log lines are kept and shipped; this is shown once). */
export function adminLinkLine(baseUrl: string, key: string): string {
  return `admin link: ${adminLink(baseUrl, key)}\n`;
}

export interface AdminKeyOptions {
  store: AdminKeyStore;
  /** Where people reach the server: PUBLIC_URL, else http://host:port. */
  baseUrl: string;
  /** Writes the admin link line; stdout in the server, a buffer in tests. */
  print: (line: string) => void;
  makeSecret?: () => string;
}

/**
 * On first start (no key stored), makes the admin key, stores its hash and prints the link once.
 * Later starts print nothing: the key is not recoverable from the hash, `pnpm admin-link` makes a new one.
 */
export async function ensureAdminKey(options: AdminKeyOptions): Promise<boolean> {
  if ((await options.store.get()) !== undefined) return false;
  const key = (options.makeSecret ?? newSecret)();
  if (!(await options.store.setIfAbsent(hashSecret(key)))) return false;
  options.print(adminLinkLine(options.baseUrl, key));
  return true;
}

/** Makes a fresh admin key, replaces the stored hash (revoking the old key) and prints the new link. */
export async function rotateAdminKey(options: AdminKeyOptions): Promise<void> {
  const key = (options.makeSecret ?? newSecret)();
  await options.store.set(hashSecret(key));
  options.print(adminLinkLine(options.baseUrl, key));
}

/** Whether `key` (from `hello.adminKey`) is the server's admin key; anything else is just not admin. */
export async function isAdminKey(store: AdminKeyStore, key: unknown): Promise<boolean> {
  if (!looksLikeSecret(key)) return false;
  const stored = await store.get();
  return stored !== undefined && secretMatches(key, stored);
}
