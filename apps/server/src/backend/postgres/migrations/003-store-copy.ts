/**
 * Migration 3: the bookkeeping of `pnpm migrate-store` (store-copy/), one row per copied table.
 *
 * In the schema rather than made by the command on the fly: a release's tables all come from the
 * versioned migrations (nothing by hand), and a server can ask whether the database it is about to
 * serve holds a copy that never finished (`unfinishedStoreCopy`). A database that was never the
 * target of a copy has the table, empty.
 *
 * Each batch of a table's rows commits together with its row here, so a run that is killed resumes
 * after the last committed batch and never copies a row twice. `last_key` is the SQLite key of the
 * last copied row, as JSON: the next batch is read from SQLite after it, in SQLite's order, so
 * PostgreSQL's collation never decides what is left to copy.
 */
export const STORE_COPY_MIGRATION = `
CREATE TABLE store_copy (
  table_name text PRIMARY KEY,
  -- Which SQLite store the copy is of (a digest, never a secret): a resume from another store is refused.
  source_id text NOT NULL,
  -- The table in the SQLite snapshot the copy started from: its rows and their digest (row-digest.ts).
  -- A later run whose snapshot differs (the node kept writing) copies the table again.
  source_rows bigint NOT NULL,
  source_digest text NOT NULL,
  -- The SQLite key of the last copied row (a JSON array), NULL before the first batch.
  last_key text,
  copied_rows bigint NOT NULL DEFAULT 0,
  done boolean NOT NULL DEFAULT false,
  updated_at timestamptz NOT NULL DEFAULT now()
);
`;
