import { DEFAULT_LIMITS } from "@chatroom/protocol";
import { normal, seededRandom, ZipfSampler } from "./search-random";
import {
  CHINESE_GIVEN,
  CHINESE_PARTICLES,
  CHINESE_SURNAMES,
  CHINESE_TAIL_CHARS,
  CHINESE_THREE,
  CHINESE_TWO,
  ENGLISH_HEAD,
  LATIN_SYLLABLES,
} from "./search-words";

/**
 * A room's worth of chat, generated from one seed: mixed English and Chinese lines of long-tailed
 * length (mostly short, a few pastes), by authors of Zipf-distributed activity. While it generates it counts, per word and per author, how many messages hold
 * them, so the bench can pick queries that are common or rare for real and check hit counts.
 */

export interface CorpusOptions {
  seed: number;
  messages: number;
  authors: number;
  /** Word types of the English vocabulary: a real head, then generated rarer words. */
  englishTypes: number;
  /** Generated two-character Chinese words after the real ones: the Chinese long tail. */
  chineseTailTypes: number;
  /** Longest text, in code points (the server's maxTextLength). */
  maxTextLength: number;
}

export const CORPUS_DEFAULTS: Omit<CorpusOptions, "seed" | "messages" | "authors"> = {
  englishTypes: 30_000,
  chineseTailTypes: 6_000,
  maxTextLength: DEFAULT_LIMITS.maxTextLength,
};

export interface Author {
  id: string;
  name: string;
}

export interface CorpusMessage {
  author: Author;
  text: string;
}

/** Shares of lines by language; the rest are English with a Chinese word or two, or the reverse. */
const ENGLISH_SHARE = 0.55;
const CHINESE_SHARE = 0.35;
/** Tokens per line: log-normal, median about 5, a tail into the hundreds (pastes, long explanations). */
const LENGTH_MEDIAN_TOKENS = 5;
const LENGTH_SIGMA = 0.9;
const LENGTH_MAX_TOKENS = 600;
/** Word frequency follows Zipf's law with about this exponent in natural text. */
const WORD_EXPONENT = 1.0;
/** Chat activity is more skewed than words: a handful of people write most lines. */
const AUTHOR_EXPONENT = 1.1;

export class SearchCorpus {
  readonly authors: Author[];
  /** English types, most frequent first. */
  readonly english: string[];
  /** Chinese words (two and three characters, real first, then the generated tail), most frequent first. */
  readonly chinese: string[];
  /** Messages holding each word (English ids first, then Chinese), and written by each author. */
  private readonly wordCounts: Uint32Array;
  private readonly authorCounts: Uint32Array;
  /** Each word's index in `wordCounts`, and each author's in `authorCounts`. */
  private readonly wordIds = new Map<string, number>();
  private readonly authorIds = new Map<Author, number>();
  private generated = 0;

  constructor(readonly options: CorpusOptions) {
    const random = seededRandom(options.seed ^ 0x5eed);
    this.english = englishVocabulary(options.englishTypes, random);
    this.chinese = chineseVocabulary(options.chineseTailTypes, random);
    this.authors = authorNames(options.authors, random);
    this.wordCounts = new Uint32Array(this.english.length + this.chinese.length);
    this.authorCounts = new Uint32Array(this.authors.length);
    for (const [id, word] of [...this.english, ...this.chinese].entries()) this.wordIds.set(word, id);
    for (const [id, author] of this.authors.entries()) this.authorIds.set(author, id);
  }

  /** How many messages have been generated (and counted) so far. */
  get count(): number {
    return this.generated;
  }

  /** Messages holding `word` as a generated token (substring matches may find more). */
  messagesWith(word: string): number {
    const id = this.wordIds.get(word);
    return id === undefined ? 0 : (this.wordCounts[id] ?? 0);
  }

  messagesBy(author: Author): number {
    const id = this.authorIds.get(author);
    return id === undefined ? 0 : (this.authorCounts[id] ?? 0);
  }

  /** Every message, in order; counts are complete once the iteration ends. Iterate once. */
  *messages(): Generator<CorpusMessage> {
    const { options } = this;
    const random = seededRandom(options.seed);
    const englishWords = new ZipfSampler(this.english.length, WORD_EXPONENT);
    const chineseWords = new ZipfSampler(this.chinese.length, WORD_EXPONENT);
    const particles = new ZipfSampler(CHINESE_PARTICLES.length, WORD_EXPONENT);
    const authors = new ZipfSampler(this.authors.length, AUTHOR_EXPONENT);
    // Which message last counted a word, so a word repeated in one line counts that line once.
    const lastCounted = new Int32Array(this.wordCounts.length).fill(-1);
    const englishOffset = 0;
    const chineseOffset = this.english.length;
    for (let index = 0; index < options.messages; index++) {
      const count = (id: number) => {
        if (lastCounted[id] === index) return;
        lastCounted[id] = index;
        this.wordCounts[id] = (this.wordCounts[id] ?? 0) + 1;
      };
      const englishWord = () => {
        const id = englishWords.sample(random);
        count(englishOffset + id);
        return this.english[id] as string;
      };
      const chineseWord = () => {
        // Particles glue a third of Chinese tokens; they are single characters and never queried.
        if (random() < 0.3) return CHINESE_PARTICLES[particles.sample(random)] as string;
        const id = chineseWords.sample(random);
        count(chineseOffset + id);
        return this.chinese[id] as string;
      };
      const tokens = Math.min(LENGTH_MAX_TOKENS, Math.max(1, Math.round(LENGTH_MEDIAN_TOKENS * Math.exp(LENGTH_SIGMA * normal(random)))));
      const language = random();
      let text: string;
      if (language < ENGLISH_SHARE) text = englishLine(tokens, englishWord, random);
      else if (language < ENGLISH_SHARE + CHINESE_SHARE) text = chineseLine(tokens, chineseWord, random);
      else text = mixedLine(tokens, englishWord, chineseWord, random);
      const authorIndex = authors.sample(random);
      this.authorCounts[authorIndex] = (this.authorCounts[authorIndex] ?? 0) + 1;
      this.generated = index + 1;
      yield { author: this.authors[authorIndex] as Author, text: clip(text, options.maxTextLength) };
    }
  }
}

function englishLine(tokens: number, word: () => string, random: () => number): string {
  const words = Array.from({ length: tokens }, word);
  if (random() < 0.3) words[0] = capitalize(words[0] as string);
  const end = random();
  return words.join(" ") + (end < 0.15 ? "?" : end < 0.3 ? "." : end < 0.35 ? "!" : "");
}

function chineseLine(tokens: number, word: () => string, random: () => number): string {
  let text = "";
  for (let i = 0; i < tokens; i++) {
    text += word();
    if (i < tokens - 1 && random() < 0.15) text += "，";
  }
  const end = random();
  return text + (end < 0.2 ? "？" : end < 0.4 ? "。" : end < 0.45 ? "！" : "");
}

/** Code-switching as people do it: an English line with a Chinese word, or a Chinese line with an English one. */
function mixedLine(tokens: number, english: () => string, chinese: () => string, random: () => number): string {
  const englishBase = random() < 0.5;
  const parts = Array.from({ length: Math.max(2, tokens) }, () => (random() < 0.25 === englishBase ? chinese() : english()));
  return parts.join(englishBase ? " " : "");
}

function capitalize(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** Cut to `max` code points (every generated character is in the BMP, but say it anyway). */
function clip(text: string, max: number): string {
  if (text.length <= max) return text;
  return [...text].slice(0, max).join("");
}

function englishVocabulary(types: number, random: () => number): string[] {
  const words = [...new Set(ENGLISH_HEAD)];
  const seen = new Set(words);
  let attempts = 0;
  while (words.length < types && attempts++ < types * 20) {
    const syllables = 2 + Math.floor(random() * 3);
    let word = "";
    for (let s = 0; s < syllables; s++) word += LATIN_SYLLABLES[Math.floor(random() * LATIN_SYLLABLES.length)];
    if (seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  return words;
}

/** Real two- and three-character words interleaved (two of one, one of the other), then the generated tail. */
function chineseVocabulary(tailTypes: number, random: () => number): string[] {
  const words: string[] = [];
  const two = [...new Set(CHINESE_TWO)];
  const three = [...new Set(CHINESE_THREE)];
  while (two.length > 0 || three.length > 0) {
    for (const next of [two.shift(), two.shift(), three.shift()]) if (next !== undefined) words.push(next);
  }
  const seen = new Set(words);
  let attempts = 0;
  const chars = CHINESE_TAIL_CHARS;
  while (words.length < CHINESE_TWO.length + CHINESE_THREE.length + tailTypes && attempts++ < tailTypes * 20) {
    const word = `${chars[Math.floor(random() * chars.length)]}${chars[Math.floor(random() * chars.length)]}`;
    if (seen.has(word)) continue;
    seen.add(word);
    words.push(word);
  }
  return words;
}

/** Unique names: three in four Latin (`Korin`, `Velamar`), one in four Chinese (`王伟`); a number when one repeats. */
function authorNames(count: number, random: () => number): Author[] {
  const taken = new Set<string>();
  return Array.from({ length: count }, (_, index) => {
    let base: string;
    if (random() < 0.25) {
      const given = random() < 0.5 ? 1 : 2;
      base = CHINESE_SURNAMES[Math.floor(random() * CHINESE_SURNAMES.length)] as string;
      for (let g = 0; g < given; g++) base += CHINESE_GIVEN[Math.floor(random() * CHINESE_GIVEN.length)];
    } else {
      const syllables = 2 + Math.floor(random() * 2);
      base = "";
      for (let s = 0; s < syllables; s++) base += LATIN_SYLLABLES[Math.floor(random() * LATIN_SYLLABLES.length)];
      base = capitalize(base);
    }
    let name = base;
    // A Chinese name with a digit is still one script (digits are common to all), so this stays a valid name.
    for (let n = 2; taken.has(name.toLowerCase()); n++) name = `${base}${n}`;
    taken.add(name.toLowerCase());
    return { id: `bench-user-${index}`, name };
  });
}
