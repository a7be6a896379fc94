/** Han, Kana and Hangul letters and numbers: the scripts written without spaces between words. */
const CJK = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]$/u;
const LETTER_OR_NUMBER = /^[\p{L}\p{N}]$/u;

/**
 * A code point the CJK indexes hold on their own (SQLite's `search_cjk`, PostgreSQL's
 * `search_docs.cjk`): a word of these may be one or two characters long, too short for trigrams.
 */
export function isCjkCodePoint(char: string): boolean {
  return CJK.test(char) && LETTER_OR_NUMBER.test(char);
}

/** True when every code point of `term` is one the CJK indexes hold. */
export function isAllCjk(term: string): boolean {
  for (const char of term) if (!isCjkCodePoint(char)) return false;
  return term.length > 0;
}
