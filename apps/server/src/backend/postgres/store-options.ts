import type pg from "pg";

/** What each PostgreSQL role store is built with; the defaults are in `resolvePgStoreOptions`, once. */
export interface PgStoreOptions {
  pool: pg.Pool;
  /** The clock for stored times (`sessions.updated_at`). Default: `Date.now`. */
  now?: () => number;
  /**
   * False once the backend is closing: calls are refused with BackendClosedError rather than
   * reaching a pool that is being ended. Default: until `pool.end()` is called (pg's own error,
   * "Cannot use a pool after calling end on the pool", says nothing of the backend). A backend
   * that keeps a pending call alive through `close` lets it finish before it ends the pool.
   */
  isOpen?: () => boolean;
}

export type ResolvedPgStoreOptions = Required<PgStoreOptions>;

export function resolvePgStoreOptions(options: PgStoreOptions): ResolvedPgStoreOptions {
  const { pool } = options;
  return { pool, now: options.now ?? Date.now, isOpen: options.isOpen ?? (() => !pool.ending && !pool.ended) };
}
