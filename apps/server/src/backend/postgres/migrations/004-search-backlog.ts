/**
 * Migration 4: the search index leaves the tick's transaction. A tick that inserts, edits or
 * deletes a chat only queues it here (one cheap row, plain btrees), and search-indexer.ts moves
 * the queue into `search_docs` (migration 2) afterwards, in transactions of its own, on any node;
 * message-search.ts reads the queue beside the index, so an acked chat is found at once.
 *
 * One row per change, not per chat (no key on `(room, seq)`): a tick never conflicts with, and
 * so never waits for, an indexer that is taking the same chat's older row. A row is only visible
 * with the change that queued it, so an indexer that takes it reads the chat as that change left
 * it or later; a change committed after the indexer read has its own row, taken later.
 * `search_backlog_chat` serves a search's read of the queued chats of its rooms.
 *
 * Nothing to queue here: `search_docs` was kept in step by the ticks until this migration.
 */
export const SEARCH_BACKLOG_MIGRATION = `
CREATE TABLE search_backlog (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  room text NOT NULL,
  seq bigint NOT NULL
);
CREATE INDEX search_backlog_chat ON search_backlog (room, seq);
`;
