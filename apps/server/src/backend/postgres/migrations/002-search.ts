/**
 * Migration 2: the search index ([5/6] on PostgreSQL), one row per chat that has text, written by
 * search-docs.ts in the transaction that inserts, edits or deletes the chat.
 *
 * - `body` is the chat's text folded by `foldSearchText` (NFKC, then lowercase), folded in JS
 *   because the fold is JavaScript's, not SQL's: `lower()` follows the database's ctype, which a
 *   managed server chooses. `search_docs_body` (pg_trgm) then serves `body LIKE '%term%'`
 *   for terms with three letters or digits in a row.
 * - `cjk` holds the folded text's Han, Kana and Hangul characters and every pair of them written
 *   side by side (`测试` -> {测, 试, 测试}), computed in JS so it does not depend on what the
 *   ctype calls a letter: one- and two-character words, which have no trigram, are found by it
 *   (`cjk @> '{测试}'`), and longer ones by all their pairs. NULL when the text has none.
 * - `author` is the folded author name, for `from:`.
 * Every index only proposes candidates: message-search.ts hands each to search/matcher.ts, so the
 * answers are SQLite's and the memory scan's whatever the collation and ctype.
 *
 * `search_docs_time` walks a room newest first (the scan budget and the pages);
 * `search_docs_author` the same for one author. pg_trgm is a trusted extension since
 * PostgreSQL 13: the database owner may create it on a managed server.
 *
 * Chats stored before this migration (none: it came with migration 1, before any release) or
 * copied in by `migrate-store` are indexed by `rebuildSearchDocs`.
 */
export const SEARCH_MIGRATION = `
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE search_docs (
  room text NOT NULL,
  seq bigint NOT NULL,
  ts bigint NOT NULL,
  author text NOT NULL,
  body text NOT NULL,
  cjk text[],
  PRIMARY KEY (room, seq)
);
CREATE INDEX search_docs_time ON search_docs (room, ts DESC, seq DESC);
CREATE INDEX search_docs_author ON search_docs (author, room, ts DESC, seq DESC);
CREATE INDEX search_docs_body ON search_docs USING gin (body gin_trgm_ops);
CREATE INDEX search_docs_cjk ON search_docs USING gin (cjk);
`;
