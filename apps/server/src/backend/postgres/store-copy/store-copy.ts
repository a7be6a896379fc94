import type pg from "pg";
import { capitalized, connectHint } from "../connect-hint";
import { migrate } from "../migrate";
import { createPgPool } from "../pool";
import { rebuildSearchDocs } from "../search-docs";
import { COPIED_TABLES, copyTables } from "./copy-tables";
import { setRoomSeqs } from "./room-seqs";
import { SqliteSource, type TableSnapshot } from "./sqlite-source";
import { StoreCopyError } from "./store-copy-error";
import { verifyCopy } from "./verify-copy";

/** Every default of the copy, in one place. */
export const STORE_COPY_DEFAULTS = {
  /** Rows per batch, each batch one PostgreSQL transaction with its progress row. */
  batchSize: 5_000,
  /** Rows per FETCH when verification reads a table back. */
  verifyFetch: 10_000,
} as const;

export interface StoreCopyOptions {
  /** The directory holding `chat.db` (the node's DATA_DIR). */
  dataDir: string;
  /** The target. Never printed: it may hold a password. */
  databaseUrl: string;
  batchSize?: number;
  verifyFetch?: number;
  /** Called after each committed batch; a test stops the run here (throw) as a kill would. */
  afterBatch?: (progress: { table: string; batches: number; rows: number }) => void | Promise<void>;
  /** Where the report goes, a line (or a table) at a time. */
  print?: (text: string) => void;
}

type ResolvedOptions = Required<Pick<StoreCopyOptions, "batchSize" | "verifyFetch">> & Pick<StoreCopyOptions, "afterBatch">;

/** What the steps share: the snapshot, the target, and what each step found. */
export interface StoreCopyContext {
  source: SqliteSource;
  pool: pg.Pool;
  options: ResolvedOptions;
  print: (text: string) => void;
  /** Each copied table's row count and digest in the SQLite snapshot (set by the copy step). */
  snapshots: Map<string, TableSnapshot>;
  /** What this run copied per table, and how many rows an earlier run had copied. */
  copied: Map<string, { rows: number; resumedAt: number }>;
}

export interface StoreCopyStep {
  name: string;
  run(context: StoreCopyContext): Promise<unknown>;
}

/**
 * The copy, step by step, in order. A step is one line here; each is safe to run again, so a run
 * that stops anywhere is finished by running the command again.
 */
export const STORE_COPY_STEPS: readonly StoreCopyStep[] = [
  { name: "schema", run: ({ pool }) => migrate(pool) },
  { name: "copy", run: copyTables },
  { name: "room seqs", run: setRoomSeqs },
  // Built from the copied `chats` (SQLite's own index is not copied): every chat with text, found by search after the move.
  { name: "search index", run: ({ pool }) => rebuildSearchDocs(pool) },
  { name: "verify", run: verifyCopy },
];

/**
 * Not the migration runner's lock: one copy at a time per database, so two runs cannot interleave
 * batches of one table. Session-level, held by a connection of its own for the whole run, and
 * released when that connection ends (a killed run releases it too). 'copy' in ASCII.
 */
const STORE_COPY_LOCK_KEY = 0x636f7079;

/**
 * `pnpm migrate-store --from sqlite --to postgres`: copies a single node's SQLite store into the
 * PostgreSQL database at `databaseUrl` and verifies it. Resumable: run it again after a kill and
 * it goes on from the last committed batch. Throws StoreCopyError (what to do) or
 * StoreCopyMismatch (verification failed).
 */
export async function runStoreCopy(
  options: StoreCopyOptions,
  steps: readonly StoreCopyStep[] = STORE_COPY_STEPS,
): Promise<StoreCopyContext> {
  const print = options.print ?? ((text: string) => process.stdout.write(`${text}\n`));
  const resolved: ResolvedOptions = {
    batchSize: options.batchSize ?? STORE_COPY_DEFAULTS.batchSize,
    verifyFetch: options.verifyFetch ?? STORE_COPY_DEFAULTS.verifyFetch,
    ...(options.afterBatch ? { afterBatch: options.afterBatch } : {}),
  };
  const source = SqliteSource.open(options.dataDir);
  const pool = createPgPool(options.databaseUrl, { max: 4 });
  // An idle client's error (PostgreSQL restarting) is not an unhandled 'error' that ends the
  // process with a stack trace: the query in flight fails, and with it the run, which resumes.
  pool.on("error", () => {});
  const lock = await pool.connect().catch((error: unknown) => {
    source.close();
    const hint = connectHint(error) ?? "check DATABASE_URL (user, host, port, database) and that PostgreSQL is up";
    throw new StoreCopyError(`cannot connect to the database in DATABASE_URL: ${(error as Error).message}. ${capitalized(hint)}`, {
      cause: error,
    });
  });
  try {
    const { rows } = await lock.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [STORE_COPY_LOCK_KEY]);
    if (!rows[0]?.locked) {
      throw new StoreCopyError(
        "another migrate-store is copying into this database: wait for it to finish (or stop it), then run this again",
      );
    }
    if (source.use.open) {
      print(
        `${source.file} is open by ${source.use.by}: copying a consistent snapshot of it as it is now. ` +
          "Stop the node before the final pass: run this command again then, and it copies what changed.",
      );
    }
    const context: StoreCopyContext = { source, pool, options: resolved, print, snapshots: new Map(), copied: new Map() };
    for (const step of steps) await step.run(context);
    if (source.use.open) print("The node was running: this was not the final pass. Stop it, then run migrate-store again.");
    return context;
  } finally {
    lock.release();
    await pool.end();
    source.close();
  }
}

/**
 * The tables of a copy that started and has not finished, in name order; empty when no copy was
 * ever made into this database or every table's copy finished. A server may refuse to serve a
 * database that holds half a store (the lead's start-up check; migrate() must have run first).
 */
export async function unfinishedStoreCopy(pool: pg.Pool): Promise<string[]> {
  const { rows } = await pool.query<{ table_name: string }>("SELECT table_name FROM store_copy WHERE NOT done ORDER BY table_name");
  return rows.map((row) => row.table_name);
}

export { COPIED_TABLES };
