import { foldSearchText, parseSearchQuery, type SearchHit, type SearchQuery, type User } from "@chatroom/protocol";
import type { Backend } from "../../../src/backend/backend";
import type { SearchPosition } from "../../../src/backend/message-search";
import { hitOf } from "../../../src/backend/search/collector";

/** A chat as the test knows it: its current text (none once deleted). */
export interface KnownChat {
  room: string;
  seq: number;
  ts: number;
  from: User;
  text?: string;
}

/**
 * The search rules written out again, independently of the stores, over what the test stored:
 * the expected answer every backend must give.
 */
export function expectedHits(corpus: Iterable<KnownChat>, query: SearchQuery, rooms: readonly string[]): SearchHit[] {
  const matching: Array<KnownChat & { text: string }> = [];
  for (const chat of corpus) {
    const { text } = chat;
    if (text === undefined || !rooms.includes(chat.room)) continue;
    if (query.after !== undefined && chat.ts < query.after) continue;
    if (query.before !== undefined && chat.ts >= query.before) continue;
    if (query.from !== undefined && foldSearchText(chat.from.name) !== query.from) continue;
    const folded = foldSearchText(text);
    if (!query.terms.every((term) => folded.includes(term))) continue;
    matching.push({ ...chat, text });
  }
  matching.sort((a, b) => b.ts - a.ts || (a.room < b.room ? -1 : a.room > b.room ? 1 : 0) || b.seq - a.seq);
  return matching.map((chat) => hitOf(chat, query));
}

export function parsed(raw: string): SearchQuery {
  const result = parseSearchQuery(raw);
  if (!result.ok) throw new Error(`the test's query "${raw}" does not parse: ${result.reason}`);
  return result.query;
}

/** Every page of a search, followed by `next`; fails on a page over `limit` or a cursor that does not move on. */
export async function searchAllPages(
  backend: Pick<Backend, "search">,
  query: SearchQuery,
  rooms: readonly string[],
  limit: number,
): Promise<{ hits: SearchHit[]; pages: number }> {
  const hits: SearchHit[] = [];
  let after: SearchPosition | undefined;
  for (let pages = 1; pages < 10_000; pages++) {
    const page = await backend.search.search({ query, rooms, limit, ...(after ? { after } : {}) });
    if (page.hits.length > limit) throw new Error(`a page of ${page.hits.length} hits for a limit of ${limit}`);
    hits.push(...page.hits);
    if (!page.next) return { hits, pages };
    if (after && JSON.stringify(after) === JSON.stringify(page.next)) throw new Error("the cursor did not move on");
    after = page.next;
  }
  throw new Error("too many pages");
}
