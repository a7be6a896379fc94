/**
 * One emoji, as Unicode's RGI set defines it (with its modifiers, joiners, keycaps and flags):
 * the engine's own `\p{RGI_Emoji}` property of strings, so no hand-kept table goes stale. Built
 * with `new RegExp` because the `v` flag is newer than the compile target's regex literals.
 */
// biome-ignore lint/complexity/useRegexLiterals: a `v`-flag literal does not compile for the ES2023 target
const RGI_EMOJI = new RegExp("^\\p{RGI_Emoji}$", "v");
const TEXT_PRESENTATION_SELECTOR = "\uFE0F";

/**
 * The emoji in its RGI form, or null. A single symbol typed without its presentation selector
 * ("❤" for "❤️") is the same emoji to a person, so it is given the selector rather than refused;
 * anything else (two emoji, text, a dangling joiner) is not one emoji.
 */
export function normalizeEmoji(raw: string): string | null {
  if (raw.length === 0 || raw.length > 64) return null;
  if (RGI_EMOJI.test(raw)) return raw;
  const withSelector = raw + TEXT_PRESENTATION_SELECTOR;
  return [...raw].length === 1 && RGI_EMOJI.test(withSelector) ? withSelector : null;
}
