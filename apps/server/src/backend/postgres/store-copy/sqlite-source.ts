import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import Database from "better-sqlite3";
import { SETTING_NAMES } from "../../setting-store";
import { SCHEMA_VERSION } from "../../sqlite/schema";
import { canonicalRow, RowDigest } from "./row-digest";
import { StoreCopyError } from "./store-copy-error";
import { type StoreUse, storeInUse } from "./store-in-use";

/** A key value as SQLite gives it with safe integers on. */
export type KeyValue = string | bigint;

export interface SourceTable {
  name: string;
  /** Every column, in the table's order. */
  columns: string[];
  /** The primary key's columns, in key order: the copy's order and its resume point. */
  key: string[];
}

export interface TableSnapshot {
  rows: number;
  digest: string;
  /** Values outside the key whose U+0000 characters are copied as U+FFFD (see `rowsAfter`). */
  nulReplaced?: number;
}

/**
 * A single node's SQLite store, opened read-only and held in one read transaction from `open` to
 * `close`: every read of a run sees the same snapshot (WAL lets the node keep writing meanwhile),
 * so the copy is consistent even when taken from a running node.
 */
export class SqliteSource {
  private constructor(
    private readonly db: Database.Database,
    readonly file: string,
    /** Whether another process had the file open when the snapshot was taken. */
    readonly use: StoreUse,
  ) {}

  static open(dataDir: string): SqliteSource {
    const dir = resolve(dataDir);
    const file = join(dir, "chat.db");
    if (!existsSync(file)) {
      throw new StoreCopyError(
        `no SQLite store at ${file}: point --data-dir (or DATA_DIR) at the directory the node's DATA_DIR names, the one that holds chat.db`,
      );
    }
    const use = storeInUse(file);
    let db: Database.Database;
    try {
      db = new Database(file, { readonly: true, fileMustExist: true });
    } catch (error) {
      throw new StoreCopyError(`cannot open ${file} read-only: ${(error as Error).message}`, { cause: error });
    }
    try {
      const version = db.pragma("user_version", { simple: true }) as number;
      if (version !== SCHEMA_VERSION) {
        throw new StoreCopyError(
          version < SCHEMA_VERSION
            ? `${file} has schema version ${version}, older than this release's ${SCHEMA_VERSION}: start this release's server on it once (it upgrades the file at start-up), stop it, then run migrate-store again`
            : `${file} has schema version ${version}, newer than this release's ${SCHEMA_VERSION}: run migrate-store from the release that wrote it`,
        );
      }
      // Deferred: the snapshot is taken by the first read, which is the one just below.
      db.exec("BEGIN");
      db.prepare("SELECT count(*) FROM sqlite_schema").get();
    } catch (error) {
      db.close();
      throw error;
    }
    return new SqliteSource(db, file, use);
  }

  /** The table's columns and primary key, from SQLite's own description of it. */
  describe(name: string): SourceTable {
    const info = this.db.prepare(`PRAGMA table_info(${quoteIdent(name)})`).all() as Array<{ name: string; pk: number }>;
    if (info.length === 0) throw new StoreCopyError(`${this.file} has no table ${name}: is it a Chatroom store?`);
    const key = info
      .filter((column) => column.pk > 0)
      .sort((a, b) => a.pk - b.pk)
      .map((column) => column.name);
    return { name, columns: info.map((column) => column.name), key };
  }

  /**
   * Up to `limit` rows after `after` (the key of the last row copied; undefined: from the first),
   * in key order. A row-value comparison on SQLite's own key, so what is left to copy is decided
   * by SQLite's BINARY order whatever PostgreSQL's collation is.
   *
   * PostgreSQL's text cannot hold U+0000, which SQLite's can (a chat's text may have one): outside
   * the key, each is read as U+FFFD, so the copy, its digest and the verification all see the
   * same value; `onReplaced` counts the values changed. A key holding one is left as it is, and
   * PostgreSQL refuses it with a message naming the table.
   */
  rowsAfter(table: SourceTable, after: readonly KeyValue[] | undefined, limit: number, onReplaced?: () => void): unknown[][] {
    const keyList = table.key.map(quoteIdent).join(", ");
    const where = after?.length ? `WHERE (${keyList}) > (${table.key.map(() => "?").join(", ")})` : "";
    const statement = this.db
      .prepare(`SELECT ${table.columns.map(quoteIdent).join(", ")} FROM ${quoteIdent(table.name)} ${where} ORDER BY ${keyList} LIMIT ?`)
      .raw(true)
      .safeIntegers(true);
    const rows = statement.all(...(after ?? []), limit) as unknown[][];
    const keyColumns = new Set(table.key.map((column) => table.columns.indexOf(column)));
    for (const row of rows) {
      for (const [index, value] of row.entries()) {
        if (typeof value === "string" && value.includes("\u0000") && !keyColumns.has(index)) {
          row[index] = value.replaceAll("\u0000", "\uFFFD");
          onReplaced?.();
        }
      }
    }
    return rows;
  }

  /** The table's row count and digest in this snapshot (a full read of the table). */
  snapshot(table: SourceTable, batch: number): TableSnapshot {
    const digest = new RowDigest();
    let replaced = 0;
    let after: KeyValue[] | undefined;
    for (;;) {
      const rows = this.rowsAfter(table, after, batch, () => replaced++);
      for (const row of rows) digest.add(canonicalRow(row, () => `${this.file} table ${table.name}`));
      const last = rows.at(-1);
      if (!last || rows.length < batch) break;
      after = keyOf(table, last);
    }
    return { rows: digest.rows, digest: digest.hex(), nulReplaced: replaced };
  }

  /** Each room's latest seq in `events`. */
  latestSeqs(): Map<string, number> {
    const rows = this.db.prepare("SELECT room, max(seq) AS seq FROM events GROUP BY room").all() as Array<{ room: string; seq: number }>;
    return new Map(rows.map((row) => [row.room, row.seq]));
  }

  /**
   * Which store this is, as a digest (never the secret itself): the address secret the store made
   * for itself when it first ran, else the file's path. A resume into a target holding a copy of
   * another store is refused on it.
   */
  sourceId(): string {
    const secret = this.db.prepare("SELECT value FROM settings WHERE key = ?").get(SETTING_NAMES.addressSecret) as
      | { value: string }
      | undefined;
    const identity = secret ? `address-secret:${secret.value}` : `file:${this.file}`;
    return createHash("sha256").update(identity).digest("hex").slice(0, 32);
  }

  close(): void {
    if (this.db.inTransaction) this.db.exec("COMMIT");
    this.db.close();
  }
}

/** The key of a row read by `rowsAfter` (columns in table order). */
export function keyOf(table: SourceTable, row: readonly unknown[]): KeyValue[] {
  return table.key.map((column) => {
    const value = row[table.columns.indexOf(column)];
    if (typeof value !== "string" && typeof value !== "bigint")
      throw new StoreCopyError(`a key column ${table.name}.${column} is ${typeof value}`);
    return value;
  });
}

/** A key as stored in `store_copy.last_key`: JSON, integers as tagged digits (bigint has no JSON form). */
export function encodeKey(key: readonly KeyValue[]): string {
  return JSON.stringify(key.map((value) => (typeof value === "bigint" ? { n: value.toString() } : value)));
}

export function decodeKey(text: string): KeyValue[] {
  return (JSON.parse(text) as Array<string | { n: string }>).map((value) => (typeof value === "string" ? value : BigInt(value.n)));
}

export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
