import { checkNameScripts } from "./name-scripts";

/** Counts Unicode code points, which is what the contract's length limits are measured in. */
export function codePointLength(text: string): number {
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    // A high surrogate followed by a low one is a single code point.
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

/**
 * Control characters and every Unicode "format" character (zero-width spaces and joiners, bidi
 * overrides and isolates, invisible separators), plus the other characters Unicode says render as
 * nothing (the combining grapheme joiner, Hangul fillers): each lets two names look alike. The one
 * exception is a variation selector right after an emoji, which picks its presentation (❤️).
 */
const FORBIDDEN_IN_NAME =
  /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]|(?![\uFE0E\uFE0F])\p{Default_Ignorable_Code_Point}|(?<!\p{Extended_Pictographic})[\uFE0E\uFE0F]/u;

export const ROOM_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const CLIENT_MSG_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
export const SESSION_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

/** Why a name was refused, as data, so a UI can say it in its own language. */
export type NameProblem = "empty" | "too_long" | "forbidden_characters" | "mixed_scripts";

export type NameCheck = { ok: true; name: string } | { ok: false; problem: NameProblem; reason: string };

/**
 * NFKC-normalizes and trims a nickname, then checks it against the contract's rules, the last of
 * which is TS #39's Highly Restrictive level (`checkNameScripts`): a server answers that one with
 * `name_refused`, not `bad_frame`, since the name is well-formed but could pass for someone else's.
 */
export function normalizeName(raw: string, maxLength = 32): NameCheck {
  const name = raw.normalize("NFKC").trim();
  const length = codePointLength(name);
  if (length === 0) return { ok: false, problem: "empty", reason: "name is empty" };
  if (length > maxLength) return { ok: false, problem: "too_long", reason: `name is longer than ${maxLength} characters` };
  if (FORBIDDEN_IN_NAME.test(name)) {
    return { ok: false, problem: "forbidden_characters", reason: "name contains control, zero-width or bidi characters" };
  }
  const scripts = checkNameScripts(name);
  if (!scripts.ok) return { ok: false, problem: "mixed_scripts", reason: scripts.reason };
  return { ok: true, name };
}

/**
 * The form two names are compared in: names that differ only in case are the same name, so
 * nobody can pose as "Alice" next to "alice". Every node and store folds with this one rule.
 */
export function foldName(name: string): string {
  return name.toLowerCase();
}

export function isValidRoom(room: string): boolean {
  return ROOM_PATTERN.test(room);
}
