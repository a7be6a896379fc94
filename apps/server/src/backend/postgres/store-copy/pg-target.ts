import type pg from "pg";
import { canonicalRow, RowDigest } from "./row-digest";
import { quoteIdent, type SourceTable, type TableSnapshot } from "./sqlite-source";
import { StoreCopyError } from "./store-copy-error";

/** A `store_copy` row: how far the copy of one table got. */
export interface TableProgress {
  sourceId: string;
  sourceRows: number;
  sourceDigest: string;
  lastKey: string | null;
  copiedRows: number;
  done: boolean;
}

type Queryable = Pick<pg.ClientBase, "query">;

/**
 * The PostgreSQL element type of each of the table's columns (`text`, `int8`, `int4`), in the
 * source's column order; refused when the two tables do not have the same columns.
 */
export async function targetColumnTypes(pool: pg.Pool, table: SourceTable): Promise<string[]> {
  const { rows } = await pool.query<{ column_name: string; udt_name: string }>(
    "SELECT column_name, udt_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1",
    [table.name],
  );
  const types = new Map(rows.map((row) => [row.column_name, row.udt_name]));
  const names = [...types.keys()].sort().join(", ");
  if (names !== [...table.columns].sort().join(", ")) {
    throw new StoreCopyError(
      `PostgreSQL's table ${table.name} has the columns (${names}) and SQLite's has (${[...table.columns].sort().join(", ")}): ` +
        "this release's PostgreSQL migrations do not match its SQLite schema; report it as a bug",
    );
  }
  return table.columns.map((column) => types.get(column) ?? "text");
}

export async function readProgress(db: Queryable, table: string): Promise<TableProgress | undefined> {
  const { rows } = await db.query<{
    source_id: string;
    source_rows: number;
    source_digest: string;
    last_key: string | null;
    copied_rows: number;
    done: boolean;
  }>("SELECT source_id, source_rows, source_digest, last_key, copied_rows, done FROM store_copy WHERE table_name = $1", [table]);
  const row = rows[0];
  return (
    row && {
      sourceId: row.source_id,
      sourceRows: row.source_rows,
      sourceDigest: row.source_digest,
      lastKey: row.last_key,
      copiedRows: row.copied_rows,
      done: row.done,
    }
  );
}

/** Starts (or, after `DELETE`, starts again) a table's copy from the first row of `snapshot`. */
export async function startProgress(db: Queryable, table: string, sourceId: string, snapshot: TableSnapshot): Promise<void> {
  await db.query(
    `INSERT INTO store_copy (table_name, source_id, source_rows, source_digest, last_key, copied_rows, done)
     VALUES ($1, $2, $3, $4, NULL, 0, false)
     ON CONFLICT (table_name) DO UPDATE SET source_id = excluded.source_id, source_rows = excluded.source_rows,
       source_digest = excluded.source_digest, last_key = NULL, copied_rows = 0, done = false, updated_at = now()`,
    [table, sourceId, snapshot.rows, snapshot.digest],
  );
}

export async function countRows(db: Queryable, table: string): Promise<number> {
  const { rows } = await db.query<{ n: number }>(`SELECT count(*)::int8 AS n FROM ${quoteIdent(table)}`);
  return rows[0]?.n ?? 0;
}

/**
 * One batch, in one transaction with its progress: the rows (as columns of arrays, unnested) and
 * the key of the last. `ON CONFLICT DO NOTHING` is the second guard against a row copied twice;
 * the first is that the batch and its progress commit or roll back together. Returns how many
 * rows were inserted (fewer than given only if the target already had some of them).
 */
export async function copyBatch(
  client: pg.PoolClient,
  batch: { table: SourceTable; types: readonly string[]; rows: readonly unknown[][]; lastKey: string; done: boolean },
): Promise<number> {
  const { table, types, rows } = batch;
  const columns = table.columns.map((_, index) => rows.map((row) => toParameter(row[index])));
  await client.query("BEGIN");
  try {
    const inserted = await client.query(
      `INSERT INTO ${quoteIdent(table.name)} (${table.columns.map(quoteIdent).join(", ")})
       SELECT * FROM unnest(${types.map((type, index) => `$${index + 1}::${type}[]`).join(", ")})
       ON CONFLICT DO NOTHING`,
      columns,
    );
    const count = inserted.rowCount ?? 0;
    await client.query(
      "UPDATE store_copy SET last_key = $2, copied_rows = copied_rows + $3, done = $4, updated_at = now() WHERE table_name = $1",
      [table.name, batch.lastKey, count, batch.done],
    );
    await client.query("COMMIT");
    return count;
  } catch (error) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw error;
  }
}

/** pg sends a bigint as nothing it can serialize: its digits go as text, which PostgreSQL casts. */
function toParameter(value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/**
 * Every row of the table through a cursor, in the order the cursor gives (a digest needs none),
 * inside the caller's transaction: its count and digest, to compare with the source's.
 */
export async function targetSnapshot(client: pg.PoolClient, table: SourceTable, fetch: number): Promise<TableSnapshot> {
  const digest = new RowDigest();
  const cursor = quoteIdent(`verify_${table.name}`);
  await client.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${table.columns.map(quoteIdent).join(", ")} FROM ${quoteIdent(table.name)}`,
  );
  for (;;) {
    const { rows } = await client.query<unknown[]>({ text: `FETCH ${fetch} FROM ${cursor}`, rowMode: "array" });
    for (const row of rows) digest.add(canonicalRow(row, () => `PostgreSQL table ${table.name}`));
    if (rows.length < fetch) break;
  }
  await client.query(`CLOSE ${cursor}`);
  return { rows: digest.rows, digest: digest.hex() };
}
