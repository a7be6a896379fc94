import type { LogItem } from "@chatroom/client";
import { DEFAULT_LIMITS, foldName, ROOM_MENTION, type User } from "@chatroom/protocol";

/** The `@query` the caret is in: `start` is the `@`'s offset, `query` what follows it up to the caret. */
export interface MentionTrigger {
  start: number;
  query: string;
}

/** One suggestion: a member present now, a recent author, or `@room` (id null). */
export interface MentionCandidate {
  id: string | null;
  name: string;
  present: boolean;
}

/** What `@` may not follow to start a mention, as the protocol's grammar says (Chinese and Japanese letters may). */
const WORD_BEFORE = /(?![\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}])[\p{L}\p{N}\p{M}_.+-]/u;

/** The mention being typed at `caret`, if any: an `@` that may start one, on the same line, at most a name's length back. */
export function mentionTrigger(text: string, caret: number): MentionTrigger | null {
  const start = text.lastIndexOf("@", caret - 1);
  if (start === -1 || caret - start - 1 > DEFAULT_LIMITS.maxNameLength) return null;
  if (start > 0 && WORD_BEFORE.test(text[start - 1] as string)) return null;
  const query = text.slice(start + 1, caret);
  if (/[\n@]/.test(query) || /^\s/.test(query)) return null;
  return { start, query };
}

/**
 * Who `@query` may mean, best first: the room's members present now, then the authors of the
 * chats the tab holds (newest first, by the name they wrote under last), then `@room` when the
 * user may mention everyone. Never the user. Names that start with the query come before names
 * that only contain it; at most `max`.
 */
export function mentionCandidates(options: {
  members: readonly User[];
  items: readonly LogItem[];
  myId: string | undefined;
  query: string;
  roomAllowed: boolean;
  max: number;
}): MentionCandidate[] {
  const { members, items, myId, roomAllowed, max } = options;
  const seenIds = new Set<string>();
  const seenNames = new Set<string>();
  const all: MentionCandidate[] = [];
  const add = (user: User, present: boolean) => {
    const folded = foldName(user.name);
    if (user.id === myId || seenIds.has(user.id) || seenNames.has(folded)) return;
    seenIds.add(user.id);
    seenNames.add(folded);
    all.push({ id: user.id, name: user.name, present });
  };
  for (const member of members) add(member, true);
  for (let i = items.length - 1; i >= 0; i--) {
    const item = items[i] as LogItem;
    if (item.type === "chat") add(item.message.from, false);
  }
  if (roomAllowed && !seenNames.has(ROOM_MENTION)) all.push({ id: null, name: ROOM_MENTION, present: false });
  const query = foldName(options.query);
  const starting = all.filter((candidate) => foldName(candidate.name).startsWith(query));
  const containing = all.filter((candidate) => !foldName(candidate.name).startsWith(query) && foldName(candidate.name).includes(query));
  return [...starting, ...containing].slice(0, max);
}
