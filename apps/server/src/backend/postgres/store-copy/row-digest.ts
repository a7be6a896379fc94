import { createHash } from "node:crypto";

/** A column's value as both sides give it: SQLite (safe integers on) and PostgreSQL (int8 as bigint). */
export type CellValue = string | bigint | number | null;

const DIGEST_MODULUS = 1n << 128n;

/**
 * A row in one canonical form, whichever database it was read from: integers of any width as
 * their decimal digits, text as itself, tagged so that the text "1" and the integer 1 differ.
 * Any other type (a BLOB, a REAL) is not in the schema and is refused rather than guessed at.
 */
export function canonicalRow(values: readonly unknown[], where: () => string): string {
  return JSON.stringify(
    values.map((value) => {
      if (value === null) return null;
      if (typeof value === "string") return ["s", value];
      if (typeof value === "bigint" || (typeof value === "number" && Number.isSafeInteger(value))) return ["n", String(value)];
      throw new Error(`${where()} holds a value of type ${typeof value} (${String(value).slice(0, 40)}), which the schema does not have`);
    }),
  );
}

/**
 * An order-independent digest of a table's rows: the sum, modulo 2^128, of the first 16 bytes of
 * each row's SHA-256. Order-independent so that SQLite (read in its key order) and PostgreSQL (read
 * in whatever order a cursor gives, under whatever collation) can be compared without sorting, and
 * so that it can be added to batch by batch. Two tables with the same rows have the same digest;
 * a changed, missing or extra row changes it (but for a 2^-128 chance).
 */
export class RowDigest {
  private sum = 0n;
  rows = 0;

  add(canonical: string): void {
    const hash = createHash("sha256").update(canonical).digest();
    this.sum = (this.sum + hash.readBigUInt64BE(0) * (1n << 64n) + hash.readBigUInt64BE(8)) % DIGEST_MODULUS;
    this.rows += 1;
  }

  hex(): string {
    return this.sum.toString(16).padStart(32, "0");
  }
}
