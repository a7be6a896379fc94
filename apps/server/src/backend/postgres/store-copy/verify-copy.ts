import { inTransaction } from "../in-transaction";
import { targetSnapshot } from "./pg-target";
import type { StoreCopyContext } from "./store-copy";
import { StoreCopyMismatch } from "./store-copy-error";

/** Where SQLite and PostgreSQL disagree about a room's latest seq. */
interface SeqMismatch {
  room: string;
  sqlite: number | undefined;
  events: number | undefined;
  counter: number | undefined;
}

/** How many disagreeing rooms an error lists (the count says how many there are). */
const ROOMS_LISTED = 10;

/**
 * Compares the copy with the SQLite snapshot, in one read-only REPEATABLE READ transaction (one
 * PostgreSQL snapshot for every table): each table's row count and digest (every row read back and
 * hashed, so a changed value is found, not only a missing row), then each room's latest seq:
 * SQLite's max(events.seq) == PostgreSQL's max(events.seq) == rooms.seq, for every room on either side.
 * Prints the table; throws a StoreCopyError naming what differs.
 */
export async function verifyCopy(context: StoreCopyContext): Promise<void> {
  const { source, pool, options, print } = context;
  const problems: string[] = [];
  const lines: string[][] = [["table", "sqlite rows", "postgres rows", "copied now", "rows equal"]];
  const seqMismatches = await inTransaction(
    pool,
    async (client) => {
      for (const [name, expected] of context.snapshots) {
        const actual = await targetSnapshot(client, source.describe(name), options.verifyFetch);
        const equal = actual.rows === expected.rows && actual.digest === expected.digest;
        const copied = context.copied.get(name)?.rows ?? 0;
        lines.push([name, String(expected.rows), String(actual.rows), String(copied), equal ? "yes" : "NO"]);
        if (actual.rows !== expected.rows) problems.push(`${name}: SQLite has ${expected.rows} rows, PostgreSQL ${actual.rows}`);
        else if (!equal) problems.push(`${name}: the same number of rows (${actual.rows}) but not the same rows`);
      }
      const events = await client.query<{ room: string; seq: number }>("SELECT room, max(seq) AS seq FROM events GROUP BY room");
      const counters = await client.query<{ room: string; seq: number }>("SELECT room, seq FROM rooms");
      return compareSeqs(
        source.latestSeqs(),
        new Map(events.rows.map((row) => [row.room, row.seq])),
        new Map(counters.rows.map((row) => [row.room, row.seq])),
      );
    },
    "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
  );
  const rooms = source.latestSeqs().size;
  lines.push(["rooms (last seq)", String(rooms), String(rooms - seqMismatches.length), "", seqMismatches.length === 0 ? "yes" : "NO"]);
  print(formatTable(lines));
  if (seqMismatches.length > 0) {
    const listed = seqMismatches
      .slice(0, ROOMS_LISTED)
      .map(
        (m) => `${JSON.stringify(m.room)} (sqlite ${m.sqlite ?? "none"}, events ${m.events ?? "none"}, rooms.seq ${m.counter ?? "none"})`,
      );
    problems.push(`the last seq differs in ${seqMismatches.length} rooms: ${listed.join("; ")}`);
  }
  if (problems.length > 0) {
    throw new StoreCopyMismatch(
      `verification failed: ${problems.join("; ")}. Do not start servers on this database: if a server wrote to it, copy into an empty database; otherwise run migrate-store again with the node stopped`,
    );
  }
}

function compareSeqs(sqlite: Map<string, number>, events: Map<string, number>, counters: Map<string, number>): SeqMismatch[] {
  const rooms = new Set([...sqlite.keys(), ...events.keys(), ...counters.keys()]);
  const mismatches: SeqMismatch[] = [];
  for (const room of [...rooms].sort()) {
    const seqs = { sqlite: sqlite.get(room), events: events.get(room), counter: counters.get(room) };
    if (seqs.sqlite !== seqs.events || seqs.sqlite !== seqs.counter) mismatches.push({ room, ...seqs });
  }
  return mismatches;
}

function formatTable(lines: string[][]): string {
  const widths = (lines[0] ?? []).map((_, column) => Math.max(...lines.map((line) => (line[column] ?? "").length)));
  return lines
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}
