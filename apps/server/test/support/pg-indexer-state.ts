import type { MessageSearch } from "../../src/backend/message-search";
import type { PgBackendOptions } from "../../src/backend/postgres/pg-backend";
import type { PgSearchIndexer } from "../../src/backend/postgres/search-indexer";

/**
 * The two states a PostgreSQL search must answer alike in: "backlog", every chat still queued
 * (the indexer held), and "indexed", the backlog drained into `search_docs` before each search.
 */
export const PG_INDEXER_STATES = ["backlog", "indexed"] as const;
export type PgIndexerState = (typeof PG_INDEXER_STATES)[number];

/** PgBackend options that hold the indexer, so a test decides what is indexed. */
export const HELD_INDEXER: Pick<PgBackendOptions, "searchIndexer"> = { searchIndexer: { mode: "manual" } };

/** `search` in `state`: as it is ("backlog"), or answering only after the indexer caught up ("indexed"). */
export function inIndexerState(search: MessageSearch, indexer: () => PgSearchIndexer, state: PgIndexerState): MessageSearch {
  if (state === "backlog") return search;
  return {
    search: async (request) => {
      await indexer().catchUp();
      return search.search(request);
    },
  };
}
