import { foldSearchText, type SearchQuery } from "@chatroom/protocol";
import type { SearchCandidate } from "../message-search";

/**
 * THE match rule, the same for every store (indexes only propose candidates): every term is a
 * substring of the folded current text, `from` equals the folded author name stored on the chat,
 * `after` (inclusive) and `before` (exclusive) bound its `ts`, and the room is one of `rooms`.
 */
export function matchesSearch(query: SearchQuery, rooms: ReadonlySet<string>, chat: SearchCandidate): boolean {
  if (!rooms.has(chat.room)) return false;
  if (query.after !== undefined && chat.ts < query.after) return false;
  if (query.before !== undefined && chat.ts >= query.before) return false;
  if (query.from !== undefined && foldSearchText(chat.from.name) !== query.from) return false;
  if (query.terms.length === 0) return true;
  const folded = foldSearchText(chat.text);
  return query.terms.every((term) => folded.includes(term));
}
