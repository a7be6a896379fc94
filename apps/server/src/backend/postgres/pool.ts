import pg from "pg";

/** int8 (seq, ts, read markers): a JS number, refused past 2^53 rather than silently rounded. */
function parseInt8(text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`int8 ${text} is past Number.MAX_SAFE_INTEGER`);
  return value;
}

/**
 * The type parsers every connection of this backend uses: pg returns int8 as a string by default
 * (it may not fit a double); seqs and millisecond timestamps always do, so they come back as
 * numbers, checked. Per client rather than `pg.types.setTypeParser`, which would change every pg
 * user in the process.
 */
export const PG_TYPES: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    oid === pg.types.builtins.INT8 && format !== "binary"
      ? parseInt8
      : pg.types.getTypeParser(oid, format)) as pg.CustomTypesConfig["getTypeParser"],
};

export interface PgPoolOptions {
  /** Connections this node may hold; PostgreSQL's max_connections is shared by every node. */
  max?: number;
}

/** The pool for reads and single-statement writes; the group commit holds one client of it for a tick's transaction. */
export function createPgPool(url: string, options: PgPoolOptions = {}): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    types: PG_TYPES,
    // Acked means durable: every session of this server commits with synchronous_commit on,
    // whatever the database's default says (a managed server may ship it off). With
    // synchronous_standby_names set, `on` also waits for the synchronous standby (docs/cluster.md).
    options: "-c synchronous_commit=on",
  });
  // A connection that dies (PostgreSQL restarted) emits `error` on its client, checked out or
  // idle; unheard, Node would crash the process. The query it was running fails with the cause,
  // and the pool replaces the connection, so nothing is lost by listening here.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}
