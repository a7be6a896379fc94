import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createMessageIds } from "../../apps/server/src/backend/message-ids";
import type { AppendResult } from "../../apps/server/src/backend/message-store";
import { registerSearchFunctions } from "../../apps/server/src/backend/sqlite/search-functions";
import { SqliteBackend } from "../../apps/server/src/backend/sqlite/sqlite-backend";
import type { SearchCorpus } from "./search-corpus";
import { exponential, seededRandom } from "./search-random";
import { Database } from "./sqlite-driver";

export interface BuildOptions {
  dataDir: string;
  room: string;
  corpus: SearchCorpus;
  /** Messages per transaction (appends: submitted in one tick, which the group commit writes as one). */
  batch: number;
  /** Message timestamps: the first at `startTs`, then exponential gaps of mean `meanGapMs` (seeded). */
  startTs: number;
  meanGapMs: number;
  /** How messages get in (default `rows`): see BuildMode. */
  mode?: BuildMode;
  log: (message: string) => void;
}

export interface TableSize {
  /** A table or index, FTS shadow tables included. */
  name: string;
  bytes: number;
}

export interface BuildResult {
  mode: BuildMode;
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
 * How the room is filled. `rows`: the rows the store's append writes for a chat (`events`, `chats`,
 * `sends`), inserted in large transactions on a connection set up like the server's (its pragmas,
 * its search SQL functions), so the index is built by the real migration's triggers and indexer; the build
 * test checks it writes what `appends` writes. `appends`: every message a real `append` (dedupe,
 * access checks, seq), the appends of one tick committed together by the store's group commit;
 * about 1.7× the CPU per message, most of it the store's reads before each write.
 */
export type BuildMode = "rows" | "appends";

/**
 * Fills `room` with the corpus. Either way `SqliteBackend.open` creates the file with the real
 * migrations (the search index and its triggers included), and the store reads the room back.
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
  const started = performance.now();
  const progress = progressLog(corpus.options.messages, started, log);
  const backend = SqliteBackend.open({ nodeId: "bench-build", dataDir: options.dataDir, now });
  const mode = options.mode ?? "rows";
  let messages: number;
  try {
    messages = mode === "appends" ? await fillByAppends(backend, options, progress) : 0;
  } finally {
    await backend.close();
  }
  if (mode === "rows") messages = fillByRows(backend.file, options, now, progress);
  // Read back through the store (and its open-time integrity check), then close: that checkpoints.
  // The appends queued their chats for the search indexer, which the server runs while idle; here it
  // runs to the end, so the store is measured fully indexed and the build time includes the indexing.
  const reopened = SqliteBackend.open({ nodeId: "bench-build", dataDir: options.dataDir, search: { indexer: "manual" } });
  let latestSeq: number;
  try {
    reopened.searchIndexer.catchUp();
    latestSeq = await reopened.messages.latestSeq(room);
  } finally {
    await reopened.close();
  }
  const buildMs = performance.now() - started;
  const size = (path: string) => (existsSync(path) ? statSync(path).size : 0);
  return {
    mode,
    messages,
    latestSeq,
    buildMs,
    dbBytes: size(backend.file),
    walBytes: size(`${backend.file}-wal`),
    tables: tableSizes(backend.file),
  };
}

type Progress = (stored: number) => void;

function progressLog(total: number, started: number, log: (message: string) => void): Progress {
  let lastLog = started;
  return (stored) => {
    const at = performance.now();
    if (at - lastLog < PROGRESS_EVERY_MS) return;
    lastLog = at;
    const perSec = stored / ((at - started) / 1000);
    const left = (total - stored) / perSec;
    log(
      `search build: ${stored.toLocaleString("en-US")} / ${total.toLocaleString("en-US")} messages, ${Math.round(perSec).toLocaleString("en-US")}/s, about ${left.toFixed(0)} s left`,
    );
  };
}

async function fillByAppends(backend: SqliteBackend, options: BuildOptions, progress: Progress): Promise<number> {
  const { corpus, room } = options;
  let submitted = 0;
  const messages = corpus.messages();
  for (;;) {
    const pending: Array<Promise<AppendResult>> = [];
    for (let next = messages.next(); !next.done; next = messages.next()) {
      const { author, text } = next.value;
      pending.push(backend.messages.append({ kind: "chat", room, actor: author, clientMsgId: `bench-${submitted}`, text }));
      submitted++;
      if (pending.length >= options.batch) break;
    }
    if (pending.length === 0) return submitted;
    for (const result of await Promise.all(pending)) {
      if (!result.ok) throw new Error(`the store refused a bench message: ${result.code} ${result.message}`);
    }
    progress(submitted);
  }
}

function fillByRows(file: string, options: BuildOptions, now: () => number, progress: Progress): number {
  const { corpus, room } = options;
  const db = new Database(file);
  try {
    // As SqliteBackend.open sets them: the file is written the way the server writes it.
    db.pragma("journal_mode = WAL");
    db.pragma("synchronous = FULL");
    db.pragma("secure_delete = ON");
    // The index's triggers call these: the server's own, registered as migrate() does.
    registerSearchFunctions(db);
    const nextId = createMessageIds("bench-build");
    // The rows SqliteMessageStore writes for a chat (insertEvent, insertChat, remember).
    const insertEvent = db.prepare("INSERT INTO events (room, seq, kind) VALUES (?, ?, 'chat')");
    const insertChat = db.prepare(
      "INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, reply_to, rev) VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, ?)",
    );
    const remember = db.prepare("INSERT INTO sends (user_id, client_msg_id, room, seq, ts, stored) VALUES (?, ?, ?, ?, ?, 1)");
    let seq = 0;
    const messages = corpus.messages();
    const fill = db.transaction(() => {
      for (let n = 0; n < options.batch; n++) {
        const next = messages.next();
        if (next.done) return false;
        const { author, text } = next.value;
        seq++;
        const ts = now();
        const clientMsgId = `bench-${seq - 1}`;
        insertEvent.run(room, seq);
        insertChat.run(room, seq, nextId(), author.id, author.name, text, ts, clientMsgId, seq);
        remember.run(author.id, clientMsgId, room, seq, ts);
      }
      return true;
    });
    while (fill()) progress(seq);
    return seq;
  } finally {
    db.close();
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

/** The schema of a store file: every table, index and trigger as SQLite keeps its SQL. */
export function schemaOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { sql: string | null }>("SELECT sql FROM sqlite_schema ORDER BY type, name")
      .all()
      .map((row) => row.sql ?? "");
  } finally {
    db.close();
  }
}

/** The schema the server creates today, from an empty store opened in a temporary directory. */
export async function currentSchema(): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), "chatroom-schema-"));
  try {
    await SqliteBackend.open({ nodeId: "bench-schema", dataDir: dir }).close();
    return schemaOf(storeFile(dir));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function storeFile(dataDir: string): string {
  return join(dataDir, "chat.db");
}
