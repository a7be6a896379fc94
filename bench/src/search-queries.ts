import type { SearchCorpus } from "./search-corpus";
import { pickDistinct, seededRandom } from "./search-random";

/** The query kinds of issue [5/6]'s benchmark, in the order the report shows them. */
export const SEARCH_KINDS = ["english-common", "english-rare", "chinese-3", "chinese-2", "from"] as const;
export type SearchKind = (typeof SEARCH_KINDS)[number];

export const SEARCH_KIND_LABELS: Record<SearchKind, string> = {
  "english-common": "common English word",
  "english-rare": "rare English word",
  "chinese-3": "3-character Chinese phrase",
  "chinese-2": "2-character Chinese word",
  from: "from: filter (an author)",
};

export interface BenchQuery {
  kind: SearchKind;
  /** The query text as a person would type it. */
  query: string;
  /** Messages holding it as a generated token (or written by the author): the hits, at least. */
  messages: number;
}

/** English words of at least this many letters count as "words" to search for (shorter are stop words). */
const MIN_ENGLISH_LETTERS = 4;
/** Rare: at most this share of the room's messages hold it (and at least one does). */
const RARE_SHARE = 1 / 20_000;
/** Rare generated words are long, so they are rarely a substring of another word. */
const MIN_RARE_LETTERS = 6;
/** Common words and active authors are drawn from this many of the most frequent. */
const HEAD = 40;

/**
 * `perKind` queries of each kind, from the corpus's own vocabulary and counts (so "rare" is rare in
 * this very room), drawn with a seed derived from the corpus's. Call after the corpus is generated.
 */
export function benchQueries(corpus: SearchCorpus, perKind: number, seed: number): Record<SearchKind, BenchQuery[]> {
  if (corpus.count !== corpus.options.messages) throw new Error("benchQueries needs the corpus generated first");
  const random = seededRandom(seed ^ 0x9e3779b9);
  const word = (kind: SearchKind, text: string): BenchQuery => ({ kind, query: text, messages: corpus.messagesWith(text) });
  const present = (words: readonly string[]) => words.filter((w) => corpus.messagesWith(w) > 0);
  const byFrequency = (words: readonly string[]) => [...words].sort((a, b) => corpus.messagesWith(b) - corpus.messagesWith(a));

  const common = byFrequency(present(corpus.english.filter((w) => w.length >= MIN_ENGLISH_LETTERS))).slice(0, HEAD);
  const rareLimit = Math.max(3, Math.floor(corpus.options.messages * RARE_SHARE));
  const rare = corpus.english.filter((w) => {
    const n = corpus.messagesWith(w);
    return w.length >= MIN_RARE_LETTERS && n > 0 && n <= rareLimit;
  });
  const chinese3 = byFrequency(present(corpus.chinese.filter((w) => [...w].length === 3))).slice(0, HEAD);
  const chinese2 = byFrequency(present(corpus.chinese.filter((w) => [...w].length === 2))).slice(0, HEAD);
  // Authors across the whole distribution: half from the most active, half from everyone who wrote.
  const writers = corpus.authors.filter((a) => corpus.messagesBy(a) > 0).sort((a, b) => corpus.messagesBy(b) - corpus.messagesBy(a));
  const authors = [
    ...pickDistinct(writers.slice(0, HEAD), Math.ceil(perKind / 2), random),
    ...pickDistinct(writers.slice(HEAD), Math.floor(perKind / 2), random),
  ];
  const from = authors.map((a) => ({
    kind: "from" as const,
    query: /\s/.test(a.name) ? `from:"${a.name}"` : `from:${a.name}`,
    messages: corpus.messagesBy(a),
  }));

  return {
    "english-common": pickDistinct(common, perKind, random).map((w) => word("english-common", w)),
    "english-rare": pickDistinct(rare, perKind, random).map((w) => word("english-rare", w)),
    "chinese-3": pickDistinct(chinese3, perKind, random).map((w) => word("chinese-3", w)),
    "chinese-2": pickDistinct(chinese2, perKind, random).map((w) => word("chinese-2", w)),
    from,
  };
}
