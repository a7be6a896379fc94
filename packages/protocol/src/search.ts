import { z } from "zod";
import { DEFAULT_LIMITS } from "./limits";
import { codePointLength, isValidRoom } from "./text";
import { userSchema } from "./users";

/**
 * A search query as a person types it: words and `"quoted phrases"` that must all appear in a
 * chat's text (case-insensitive substrings, so `测试` finds `功能测试通过`), plus filters:
 *
 * - `from:<name>` or `from:"<name with spaces>"`: the author's name when they wrote it;
 * - `in:<room>`: one room (it must be one the user may read);
 * - `after:<YYYY-MM-DD>` and `before:<YYYY-MM-DD>`: UTC days, `after` from the start of its day,
 *   `before` up to the start of its day (so `after:2026-12-01 before:2026-12-02` is that one day).
 *
 * Nothing else is syntax: `*`, `NEAR`, `OR`, `-`, parentheses and colons in other words are
 * searched for as text. The server parses with this one function, so every store reads a query
 * the same way.
 */
export interface SearchQuery {
  /** Lowercased (`foldSearchText`) substrings, each at least one code point; all must match. */
  terms: string[];
  /** Folded author name. */
  from?: string;
  room?: string;
  /** Inclusive lower bound, ms since the epoch. */
  after?: number;
  /** Exclusive upper bound, ms since the epoch. */
  before?: number;
}

export type SearchQueryParse = { ok: true; query: SearchQuery } | { ok: false; reason: string };

export const SEARCH_TERMS_MAX = 10;

/** How search compares text: case-insensitive, after NFKC (full-width `ＡＢＣ` finds `abc`). */
export function foldSearchText(text: string): string {
  return text.normalize("NFKC").toLowerCase();
}

const TOKEN = /(\w+):"([^"]*)"|(\w+):(\S*)|"([^"]*)"?|(\S+)/gu;
const FILTERS = ["from", "in", "after", "before"];
const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDay(value: string): number | undefined {
  const match = DAY.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  // 2026-02-30 rolls over to March: not a day.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return undefined;
  return ms;
}

const ONE_DAY_MS = 24 * 60 * 60 * 1000;

export function parseSearchQuery(raw: string, maxLength: number = DEFAULT_LIMITS.searchQueryMaxLength): SearchQueryParse {
  const text = raw.trim();
  if (text.length === 0) return { ok: false, reason: "the query is empty" };
  if (text.length > maxLength * 2 || codePointLength(text) > maxLength) {
    return { ok: false, reason: `the query is longer than ${maxLength} characters` };
  }
  const query: SearchQuery = { terms: [] };
  for (const match of text.matchAll(TOKEN)) {
    const filter = (match[1] ?? match[3])?.toLowerCase();
    const value = match[2] ?? match[4];
    if (filter !== undefined && value !== undefined && FILTERS.includes(filter)) {
      if (value.trim() === "") return { ok: false, reason: `${filter}: needs a value` };
      if (filter === "from") query.from = foldSearchText(value.trim());
      else if (filter === "in") {
        if (!isValidRoom(value)) return { ok: false, reason: `in:${value} is not a room name` };
        query.room = value;
      } else {
        const day = parseDay(value);
        if (day === undefined) return { ok: false, reason: `${filter}:${value} is not a day (YYYY-MM-DD)` };
        if (filter === "after") query.after = day;
        else query.before = day;
      }
      continue;
    }
    // Not a filter we know: the whole token, colon and all, is text to find.
    const term = foldSearchText(match[5] ?? match[0]).trim();
    if (term !== "" && !query.terms.includes(term)) query.terms.push(term);
  }
  if (query.terms.length > SEARCH_TERMS_MAX) return { ok: false, reason: `at most ${SEARCH_TERMS_MAX} words or phrases` };
  if (query.terms.length === 0 && query.from === undefined) return { ok: false, reason: "search for some text or use from:" };
  if (query.after !== undefined && query.before !== undefined && query.after >= query.before) {
    return { ok: false, reason: "after: must be a day before before:" };
  }
  return { ok: true, query };
}

/** `after:` and `before:` name days; this is a day's length, for clients that show ranges. */
export const SEARCH_DAY_MS = ONE_DAY_MS;

/** An opaque position in a result list: where the next page starts. */
export const searchCursorSchema = z.string().regex(/^[A-Za-z0-9_-]{1,200}$/, "cursor is not one this server gave");

/**
 * A highlight's `[start, end)` offsets: two non-negative integers. Checked by hand rather than
 * with `z.tuple`, which is the only tuple in the protocol and would bring zod's whole tuple
 * schema into the web page's first script (issue 12's 150 KB budget); the wire format and the
 * inferred type are the same.
 */
function isOffsetPair(value: unknown): value is [number, number] {
  return Array.isArray(value) && value.length === 2 && value.every((offset) => Number.isSafeInteger(offset) && offset >= 0);
}

/**
 * One result. `snippet` is the matching part of the chat's current text with some context (`…`
 * where it was cut); `highlights` are `[start, end)` UTF-16 offsets of each matched term in it.
 */
export const searchHitSchema = z.strictObject({
  room: z.string(),
  seq: z.int().min(1),
  from: userSchema,
  ts: z.int().min(0),
  snippet: z.string(),
  highlights: z.array(z.custom<[number, number]>(isOffsetPair, { message: "a highlight is a [start, end] pair of offsets" })),
});
export type SearchHit = z.infer<typeof searchHitSchema>;
