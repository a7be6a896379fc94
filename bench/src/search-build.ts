import { existsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { AppendResult } from "../../apps/server/src/backend/message-store";
import { SqliteBackend } from "../../apps/server/src/backend/sqlite/sqlite-backend";
import type { SearchCorpus } from "./search-corpus";
import { exponential, seededRandom } from "./search-random";
import { Database } from "./sqlite-driver";

export interface BuildOptions {
  dataDir: string;
  room: string;
  corpus: SearchCorpus;
  /** Appends submitted in one tick, so the store's group commit writes them in one transaction. */
  batch: number;
  /** Message timestamps: the first at `startTs`, then exponential gaps of mean `meanGapMs` (seeded). */
  startTs: number;
  meanGapMs: number;
  log: (message: string) => void;
}

export interface TableSize {
  /** A table or index, FTS shadow tables included. */
  name: string;
  bytes: number;
}

export interface BuildResult {
  messages: number;
  /** The room's latest seq as the store reads it back after the build: equals `messages`. */
  latestSeq: number;
  buildMs: number;
  /** chat.db and chat.db-wal after the store closed (closing the last connection checkpoints). */
  dbBytes: number;
  walBytes: number;
  /** Where the bytes go, largest first (SQLite's dbstat). */
  tables: TableSize[];
}

const PROGRESS_EVERY_MS = 5_000;

/**
 * Fills `room` with the corpus through the production store's own code: `SqliteBackend.open` runs
 * the real migrations (search index and its triggers included) with the server's pragmas, and
 * every message is a real `append` (dedupe, access checks, seq, the triggers that index it), the
 * appends of one tick committed as one transaction by the store's group commit, as under load.
 */
export async function buildSearchStore(options: BuildOptions): Promise<BuildResult> {
  const { corpus, room, log } = options;
  const random = seededRandom(corpus.options.seed ^ 0x7157);
  let ts = options.startTs;
  // The store's clock: deterministic, and spread over the time a room of this size takes to fill.
  const now = () => {
    ts += Math.max(1, Math.round(exponential(random, options.meanGapMs)));
    return ts;
  };
  const backend = SqliteBackend.open({ nodeId: "bench-build", dataDir: options.dataDir, now });
  const started = performance.now();
  let lastLog = started;
  let submitted = 0;
  try {
    const messages = corpus.messages();
    for (;;) {
      const pending: Array<Promise<AppendResult>> = [];
      for (let next = messages.next(); !next.done; next = messages.next()) {
        const { author, text } = next.value;
        pending.push(backend.messages.append({ kind: "chat", room, actor: author, clientMsgId: `bench-${submitted}`, text }));
        submitted++;
        if (pending.length >= options.batch) break;
      }
      if (pending.length === 0) break;
      for (const result of await Promise.all(pending)) {
        if (!result.ok) throw new Error(`the store refused a bench message: ${result.code} ${result.message}`);
      }
      const at = performance.now();
      if (at - lastLog >= PROGRESS_EVERY_MS) {
        lastLog = at;
        const perSec = submitted / ((at - started) / 1000);
        const left = (corpus.options.messages - submitted) / perSec;
        log(
          `search build: ${submitted.toLocaleString("en-US")} / ${corpus.options.messages.toLocaleString("en-US")} messages, ${Math.round(perSec).toLocaleString("en-US")}/s, about ${left.toFixed(0)} s left`,
        );
      }
    }
    const latestSeq = await backend.messages.latestSeq(room);
    await backend.close();
    const buildMs = performance.now() - started;
    const file = backend.file;
    const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
    return {
      messages: submitted,
      latestSeq,
      buildMs,
      dbBytes: size(file),
      walBytes: size(`${file}-wal`),
      tables: tableSizes(file),
    };
  } finally {
    await backend.close();
  }
}

/** Bytes per table and index, read-only, largest first. */
export function tableSizes(file: string): TableSize[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], TableSize>("SELECT name, SUM(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC").all();
  } finally {
    db.close();
  }
}

export function storeFile(dataDir: string): string {
  return join(dataDir, "chat.db");
}
