import { inTransaction } from "../in-transaction";
import { copyBatch, countRows, readProgress, startProgress, targetColumnTypes } from "./pg-target";
import { decodeKey, encodeKey, keyOf } from "./sqlite-source";
import type { StoreCopyContext } from "./store-copy";
import { StoreCopyError } from "./store-copy-error";

/**
 * The tables copied, in this order. SQLite's search tables (search_docs, the FTS tables and the
 * backlog) are not: PostgreSQL's search index is built from `chats`. `rooms` has no SQLite table:
 * the room-seqs step makes it from `events`.
 */
export const COPIED_TABLES = [
  "events",
  "chats",
  "reactions",
  "sends",
  "memberships",
  "sessions",
  "settings",
  "room_access",
  "slow_mode_chats",
] as const;

/** A long table reports how far it got every this many batches (100 of the default size: 500,000 rows). */
const PROGRESS_EVERY_BATCHES = 100;

/**
 * Copies each table in SQLite key order, a batch per PostgreSQL transaction with its progress row,
 * resuming each table after the last key a previous run committed. A table whose snapshot
 * changed since its copy began (the node kept running between runs) is emptied and copied again,
 * provided it holds only what this command copied into it.
 */
export async function copyTables(context: StoreCopyContext): Promise<void> {
  const { source, pool, options, print } = context;
  const sourceId = source.sourceId();
  const fresh = (await pool.query("SELECT 1 FROM store_copy LIMIT 1")).rowCount === 0;
  // `rooms` only servers write: rows there on a first run mean a server has used this database.
  if (fresh) await refuseUnlessEmpty(context, ["rooms", ...COPIED_TABLES]);
  const client = await pool.connect();
  try {
    for (const name of COPIED_TABLES) {
      const table = source.describe(name);
      const types = await targetColumnTypes(pool, table);
      const snapshot = source.snapshot(table, options.batchSize);
      context.snapshots.set(name, snapshot);
      if (snapshot.nulReplaced) {
        print(`${name}: ${snapshot.nulReplaced} values hold U+0000, which PostgreSQL's text cannot: copied with U+FFFD in its place`);
      }
      let progress = await readProgress(pool, name);
      if (progress && progress.sourceId !== sourceId) {
        throw new StoreCopyError(
          `the database in DATABASE_URL holds a copy of another SQLite store (table ${name}): point DATABASE_URL at an empty database, or at the one this store's earlier run copied into`,
        );
      }
      if (progress && progress.sourceDigest !== snapshot.digest) {
        const held = await countRows(pool, name);
        if (held !== progress.copiedRows) throw notOnlyOurs(name, held, progress.copiedRows);
        await inTransaction(pool, async (tx) => {
          await tx.query(`DELETE FROM ${name}`);
          await startProgress(tx, name, sourceId, snapshot);
        });
        print(`${name}: changed in SQLite since the last run (${progress.sourceRows} rows then, ${snapshot.rows} now): copying it again`);
        progress = undefined;
      } else if (!progress) {
        await refuseUnlessEmpty(context, [name]);
        await startProgress(pool, name, sourceId, snapshot);
      }
      if (progress?.done) {
        context.copied.set(name, { rows: 0, resumedAt: progress.copiedRows });
        print(`${name}: copied by an earlier run, unchanged since`);
        continue;
      }
      const resumedAt = progress?.copiedRows ?? 0;
      let after = progress?.lastKey ? decodeKey(progress.lastKey) : undefined;
      let copied = 0;
      let batches = 0;
      for (;;) {
        const rows = source.rowsAfter(table, after, options.batchSize);
        const last = rows.at(-1);
        const done = rows.length < options.batchSize;
        if (last) after = keyOf(table, last);
        copied += await copyBatch(client, { table, types, rows, lastKey: encodeKey(after ?? []), done });
        batches += 1;
        await options.afterBatch?.({ table: name, batches, rows: copied });
        if (done) break;
        if (batches % PROGRESS_EVERY_BATCHES === 0) print(`${name}: ${resumedAt + copied} of ${snapshot.rows} rows copied`);
      }
      context.copied.set(name, { rows: copied, resumedAt });
      print(`${name}: ${copied} rows copied${resumedAt > 0 ? ` after the ${resumedAt} an earlier run copied` : ""}`);
    }
  } finally {
    client.release();
  }
}

function notOnlyOurs(table: string, held: number, copied: number): StoreCopyError {
  return new StoreCopyError(
    `${table} changed in SQLite since the last run, but PostgreSQL's ${table} holds ${held} rows where this command copied ${copied}: ` +
      "something else has written to the database in DATABASE_URL (a server using it?). Nothing was deleted; stop what writes there, " +
      "or copy into an empty database",
  );
}

/** A first run copies into an empty database only: rows already there would be mixed with the store's. */
async function refuseUnlessEmpty({ pool }: StoreCopyContext, tables: readonly string[]): Promise<void> {
  const held: string[] = [];
  for (const table of tables) {
    const rows = await countRows(pool, table);
    if (rows > 0) held.push(`${table} (${rows} rows)`);
  }
  if (held.length > 0) {
    throw new StoreCopyError(
      `the database in DATABASE_URL already holds data that migrate-store did not copy there: ${held.join(", ")}. ` +
        "Copy into an empty database (createdb a new one and point DATABASE_URL at it); nothing was changed",
    );
  }
}
