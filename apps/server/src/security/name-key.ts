import { createRequire } from "node:module";
import { foldName } from "@chatroom/protocol";

/**
 * Unicode's confusables.txt (TS #39 §4), one prototype per source character, as nodeca's
 * `unhomoglyph` package ships it (rebuilt from Unicode's latest file on each release). Only its
 * data is used: its own replace is not the TS #39 skeleton (no NFD). Server-side only: it is
 * large and the page does not need it (the page pre-checks scripts; the server decides who holds a name).
 */
const CONFUSABLES: ReadonlyMap<string, string> = new Map(
  Object.entries(createRequire(import.meta.url)("unhomoglyph/data.json") as Record<string, string>),
);

const DEFAULT_IGNORABLE = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * The TS #39 skeleton: NFD, drop default-ignorable characters, map each character to its
 * prototype, NFD again. Two strings with one skeleton look alike (`аlice` and `alice`, `rn` and `m`).
 */
export function skeleton(text: string): string {
  let mapped = "";
  for (const char of text.normalize("NFD").replace(DEFAULT_IGNORABLE, "")) mapped += CONFUSABLES.get(char) ?? char;
  return mapped.normalize("NFD");
}

/**
 * The forms two names in a room are compared in: two names clash when they share one. Folding
 * first makes `Alice` and `ALICE` one name; the skeleton of the unfolded name catches a capital
 * that passes for a small letter (`aIice`: capital I for l), which folding alone would turn into
 * `aiice`. Each is folded once more, because some prototypes are capitals (`0` → `O`).
 * Every node and store keys names with this one function.
 */
export function nameKeys(name: string): string[] {
  const keys = new Set([foldName(skeleton(foldName(name))), foldName(skeleton(name))]);
  return [...keys];
}

/** Separates a name's keys where one string must carry them all (the Redis presence scripts). Names hold no newline. */
export const NAME_KEY_SEPARATOR = "\n";
