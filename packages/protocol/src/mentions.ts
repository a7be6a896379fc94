import { z } from "zod";
import { foldName } from "./text";
import { userSchema } from "./users";

/**
 * A chat's mentions, resolved by the server when it stores the chat (or an edit): the users named,
 * each with the name they had then, so a later rename does not break the link. `@room` is its own
 * flag, not a user. Both are absent when the text mentions nobody.
 */
export const mentionFieldsSchema = {
  /** Users the text mentions, in the order they first appear, each once; at most `mentionsMax`. */
  mentions: z.array(userSchema).optional(),
  /** The text mentions everyone (`@room`) and the author may do that here. */
  mentionsRoom: z.literal(true).optional(),
};

/**
 * What `@` may not follow to start a mention: so `ann@example.com` mentions nobody. Chinese and
 * Japanese put no space between words, so `请@小明` mentions 小明: their letters do not count.
 */
const WORD_BEFORE = /(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}\p{M}_.+-]/u;
/** What may not follow a mentioned name: so `@ann` does not mention `ann` inside `@anna` (`@小明看` is fine). */
const NAME_CONTINUES = /(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}\p{M}_]/u;

export const ROOM_MENTION = "room";

/** One `@name` in a text: `start` is the `@`'s UTF-16 offset, `end` is just past the name. */
export interface MentionSpan {
  start: number;
  end: number;
  /** The name as the candidates spell it, or `ROOM_MENTION` for `@room`. */
  name: string;
}

/**
 * Finds every mention of one of `names` in `text`, longest name first at each `@`, so `@ann lee`
 * mentions "ann lee" when both "ann" and "ann lee" are candidates. Names compare folded
 * (`foldName`). `@room` is found when `withRoom`. The one grammar: the server resolves with it
 * and a client highlights with it, so both agree on what a mention is.
 */
export function findMentions(text: string, names: Iterable<string>, withRoom = true): MentionSpan[] {
  const byFolded = new Map<string, string>();
  for (const name of names) byFolded.set(foldName(name), name);
  if (withRoom && !byFolded.has(ROOM_MENTION)) byFolded.set(ROOM_MENTION, ROOM_MENTION);
  // Longest first: a name that is a prefix of another must not win the match.
  const candidates = [...byFolded.keys()].sort((a, b) => b.length - a.length);
  const spans: MentionSpan[] = [];
  const folded = foldName(text);
  // Folding may change the length of a text (rarely: `İ`); then offsets would not line up.
  const offsetsHold = folded.length === text.length;
  for (let at = text.indexOf("@"); at !== -1; at = text.indexOf("@", at + 1)) {
    if (at > 0 && WORD_BEFORE.test(text[at - 1] as string)) continue;
    const rest = at + 1;
    for (const candidate of candidates) {
      const end = rest + candidate.length;
      const slice = offsetsHold ? folded.slice(rest, end) : foldName(text.slice(rest, end));
      if (slice !== candidate) continue;
      if (end < text.length && NAME_CONTINUES.test(text[end] as string)) continue;
      spans.push({ start: at, end, name: byFolded.get(candidate) as string });
      at = end - 1;
      break;
    }
  }
  return spans;
}
