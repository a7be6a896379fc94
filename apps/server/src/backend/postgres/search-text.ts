import { foldSearchText } from "@chatroom/protocol";
import { isCjkCodePoint } from "../search/cjk";

/**
 * What migration 2's `search_docs` holds of a text, and the SQL conditions a query's terms become.
 * Every condition here proposes a superset of the matcher's answer (search/matcher.ts): a term
 * that is a substring of the folded text always satisfies them; the matcher then decides.
 */

/** In a `u` regex a pair is one code point, so only an unpaired surrogate is in this range. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;
const LONE_SURROGATE_ALL = /[\uD800-\uDFFF]/gu;

/**
 * The folded text as PostgreSQL can store it: `text` holds neither NUL nor a lone surrogate
 * (the driver would send U+FFFD). Both become U+FFFD here, which only adds candidates; terms
 * holding either are left to the matcher (`indexableTerms`).
 */
export function indexTextOf(text: string): string {
  return storable(foldSearchText(text));
}

/** An already folded string (a query's `from:`, a stored author) as `text` can hold it: see `indexTextOf`. */
export function storable(folded: string): string {
  return folded.replace(LONE_SURROGATE_ALL, "\uFFFD").replaceAll("\0", "\uFFFD");
}

/**
 * The CJK grams of a folded text: each Han, Kana or Hangul character, and each pair of them
 * written side by side, once each; empty when it has none. In a term they are always in the text.
 */
export function cjkGramsOf(folded: string): string[] {
  const grams = new Set<string>();
  let previous: string | undefined;
  for (const char of folded) {
    if (!isCjkCodePoint(char)) {
      previous = undefined;
      continue;
    }
    grams.add(char);
    if (previous !== undefined) grams.add(previous + char);
    previous = char;
  }
  return [...grams];
}

/**
 * The grams a term needs: the pairs of each run of two or more CJK characters, and the
 * characters standing alone. Fewer keys than every gram, and each at least as selective.
 */
export function cjkGramsOfTerm(term: string): string[] {
  const grams = new Set<string>();
  let run: string[] = [];
  const endRun = () => {
    if (run.length === 1) grams.add(run[0] as string);
    for (let i = 1; i < run.length; i++) grams.add((run[i - 1] as string) + (run[i] as string));
    run = [];
  };
  for (const char of term) {
    if (isCjkCodePoint(char)) run.push(char);
    else endRun();
  }
  endRun();
  return [...grams];
}

/** Terms the stored text can answer for exactly as the matcher would (see `indexTextOf`). */
export function indexableTerms(terms: readonly string[]): string[] {
  return terms.filter((term) => !term.includes("\0") && !LONE_SURROGATE.test(term));
}

/** `body LIKE` this pattern holds when `term` is a substring: `%`, `_` and `\` (LIKE's default escape) escaped. */
export function likePatternOf(term: string): string {
  return `%${term.replace(/[\\%_]/g, "\\$&")}%`;
}

/**
 * Three ASCII letters or digits in a row: pg_trgm takes a trigram from them under every ctype
 * (it keeps only what the ctype calls alphanumeric, and ASCII letters always are), so
 * `search_docs_body` narrows the term's LIKE. Other terms still filter, but never lead a plan.
 */
export function hasTrigram(term: string): boolean {
  return /[a-z0-9]{3}/.test(term);
}
