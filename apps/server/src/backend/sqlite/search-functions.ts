import { foldSearchText } from "@chatroom/protocol";
import type Database from "better-sqlite3";
import { isCjkCodePoint } from "../search/cjk";

export { isAllCjk, isCjkCodePoint } from "../search/cjk";

/**
 * The SQL functions the search index's triggers call (migration 7), so that the index is kept in
 * step inside the same transaction as the append, edit or delete that changes a chat. Every
 * connection that writes `chats` must register them first: `migrate` does, before anything else.
 * Both must stay deterministic: a contentless FTS5 row is removed by indexing its old text again.
 */
export const SEARCH_SQL_FUNCTIONS = { fold: "chatroom_search_fold", cjk: "chatroom_search_cjk" } as const;

/**
 * The CJK index's view of a text: its folded CJK code points, one token each, in order (anything
 * else dropped), or null when it has none. A phrase of single characters then finds one- and
 * two-character words the trigram index cannot. Dropping the rest may join characters that were
 * apart (`测a试` reads as `测 试`): the index only proposes, the matcher decides.
 */
export function cjkTokens(text: string): string | null {
  let out = "";
  for (const char of foldSearchText(text)) {
    if (isCjkCodePoint(char)) out += out === "" ? char : ` ${char}`;
  }
  return out === "" ? null : out;
}

export function registerSearchFunctions(db: Database.Database): void {
  db.function(SEARCH_SQL_FUNCTIONS.fold, { deterministic: true }, (text: unknown) =>
    typeof text === "string" ? foldSearchText(text) : null,
  );
  db.function(SEARCH_SQL_FUNCTIONS.cjk, { deterministic: true }, (text: unknown) => (typeof text === "string" ? cjkTokens(text) : null));
}
