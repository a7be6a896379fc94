import { accessSync, constants, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { Worker } from "node:worker_threads";
import type { ChatFrame } from "@chatroom/protocol";
import Database from "better-sqlite3";
import type {
  AppendRequest,
  AppendResult,
  Backend,
  PageResult,
  RangeQuery,
  RangeResult,
  RoomEventListener,
  SessionRecord,
} from "./backend";
import { createMessageIds } from "./message-ids";
import { migrate } from "./sqlite-schema";
import {
  type MessageRow,
  type WriterAppend,
  type WriterBatch,
  type WriterData,
  type WriterReply,
  type WriterRequest,
  type WriterSession,
  writerThread,
} from "./sqlite-writer";

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

interface PendingAppend {
  request: AppendRequest;
  resolve: (result: AppendResult) => void;
  reject: (error: unknown) => void;
}

interface PendingSession {
  token: string;
  record: SessionRecord;
  resolve: () => void;
  reject: (error: unknown) => void;
}

export interface SqliteBackendOptions {
  nodeId: string;
  dataDir: string;
  /**
   * FULL (default) fsyncs the WAL on every commit, so an acked message survives power loss.
   * NORMAL survives a process crash but may lose the last commits on an OS crash.
   */
  synchronous?: "FULL" | "NORMAL";
  now?: () => number;
}

/** A batch handed to the writer thread, waiting for its commit. */
interface InFlight {
  appends: PendingAppend[];
  sessions: PendingSession[];
  /** What went to the writer: the ids and the time the new messages are stored with. */
  sent: WriterBatch;
}

/**
 * The single-node default: history and sessions in one SQLite file under DATA_DIR, in WAL mode.
 *
 * Writes go to a writer thread (`sqlite-writer.ts`) with its own connection, so the fsync of each
 * commit (`synchronous=FULL`) no longer blocks fan-out on the event loop. Appends are
 * group-committed: one batch is in the writer at a time, and everything queued while it commits
 * goes in the next transaction, so batches grow with the load. Each append is acked only after
 * the writer reports its commit. Reads (history, sessions, latest seq) use this thread's own
 * connection, which WAL lets run beside the writer.
 */
export class SqliteBackend implements Backend {
  readonly kind = "sqlite";
  private queue: PendingAppend[] = [];
  /** Joins save sessions; a connection storm would otherwise pay one fsync per connection. */
  private sessionQueue: PendingSession[] = [];
  private flushScheduled = false;
  private inFlight: InFlight | null = null;
  private drained: Array<() => void> = [];
  /** The latest committed seq per room, as far as this thread has seen. */
  private readonly latestByRoom = new Map<string, number>();
  private readonly nextMessageId: () => string;
  private readonly now: () => number;
  private readonly statements;
  private readonly writer: Worker;
  /** Set when the writer thread died: every later write fails with it. */
  private writerFailure: StoreError | null = null;
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly nodeId: string,
    readonly file: string,
    now: () => number,
    synchronous: "FULL" | "NORMAL",
  ) {
    this.now = now;
    this.nextMessageId = createMessageIds(nodeId);
    this.statements = {
      latest: db.prepare<[string], { seq: number | null }>("SELECT MAX(seq) AS seq FROM messages WHERE room = ?"),
      range: db.prepare<[string, number, number, number], MessageRow>(
        "SELECT * FROM messages WHERE room = ? AND seq > ? AND seq <= ? ORDER BY seq DESC LIMIT ?",
      ),
      oldest: db.prepare<[string], { seq: number | null }>("SELECT MIN(seq) AS seq FROM messages WHERE room = ?"),
      getSession: db.prepare<[string], { user_id: string; name: string }>("SELECT user_id, name FROM sessions WHERE token = ?"),
    };
    const workerData: WriterData = { file, synchronous, driver: createRequire(import.meta.url).resolve("better-sqlite3") };
    this.writer = new Worker(`(${writerThread.toString()})()`, { eval: true, workerData });
    // Like a database handle, the writer does not keep the process alive on its own.
    this.writer.unref();
    this.writer.on("message", (reply: WriterReply) => this.committed(reply));
    this.writer.on("error", (error) => this.writerDied(error));
    this.writer.on("exit", (code) => {
      if (!this.closed) this.writerDied(new Error(`writer thread exited with code ${code}`));
    });
  }

  /** Opens (creating and migrating as needed) the database, or fails with a message that says why. */
  static open(options: SqliteBackendOptions): SqliteBackend {
    const dir = resolve(options.dataDir);
    const file = join(dir, "chat.db");
    try {
      mkdirSync(dir, { recursive: true });
      accessSync(dir, constants.W_OK);
    } catch (error) {
      throw new StoreError(`DATA_DIR ${dir} is not a writable directory: ${(error as Error).message}`, { cause: error });
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(file);
      db.pragma("journal_mode = WAL");
      db.pragma(`synchronous = ${options.synchronous ?? "FULL"}`);
      db.pragma("busy_timeout = 5000");
      migrate(db);
      const check = db.pragma("quick_check", { simple: true });
      if (check !== "ok") throw new Error(`integrity check failed: ${String(check)}`);
    } catch (error) {
      db?.close();
      throw new StoreError(
        `cannot open the message store ${file}: ${(error as Error).message}. Nothing was changed; restore the file from a backup or move it away to start empty.`,
        {
          cause: error,
        },
      );
    }
    return new SqliteBackend(db, options.nodeId, file, options.now ?? Date.now, options.synchronous ?? "FULL");
  }

  append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreError("store is closed"));
    if (this.writerFailure) return Promise.reject(this.writerFailure);
    return new Promise((resolvePromise, reject) => {
      this.queue.push({ request, resolve: resolvePromise, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flush());
  }

  /** Hands everything queued so far to the writer as one transaction, unless one is in flight. */
  private flush(): void {
    this.flushScheduled = false;
    if (this.inFlight) return;
    const appends = this.queue;
    const sessions = this.sessionQueue;
    if (appends.length === 0 && sessions.length === 0) {
      for (const done of this.drained.splice(0)) done();
      return;
    }
    this.queue = [];
    this.sessionQueue = [];
    if (this.writerFailure) {
      for (const pending of sessions) pending.reject(this.writerFailure);
      for (const pending of appends) pending.reject(this.writerFailure);
      for (const done of this.drained.splice(0)) done();
      return;
    }
    const batch: WriterBatch = {
      appends: appends.map(
        ({ request }): WriterAppend => ({
          room: request.room,
          userId: request.from.id,
          userName: request.from.name,
          text: request.text,
          clientMsgId: request.clientMsgId,
          id: this.nextMessageId(),
        }),
      ),
      sessions: sessions.map(({ token, record }): WriterSession => ({ token, userId: record.userId, name: record.name })),
      now: this.now(),
    };
    this.inFlight = { appends, sessions, sent: batch };
    const message: WriterRequest = { batch };
    this.writer.postMessage(message);
  }

  /** The writer's answer to the batch in flight; then the next batch goes. */
  private committed(reply: WriterReply): void {
    const batch = this.inFlight;
    this.inFlight = null;
    if (batch) {
      if (reply.ok) {
        const { now } = batch.sent;
        for (const pending of batch.sessions) pending.resolve();
        batch.appends.forEach((pending, i) => {
          const original = reply.originals?.get(i);
          if (original) {
            pending.resolve({ message: toFrame(original), duplicate: true });
            return;
          }
          const { request } = pending;
          const seq = reply.seqs[i] as number;
          if ((this.latestByRoom.get(request.room) ?? 0) < seq) this.latestByRoom.set(request.room, seq);
          const message: ChatFrame = {
            type: "chat",
            room: request.room,
            seq,
            id: batch.sent.appends[i]?.id as string,
            from: { id: request.from.id, name: request.from.name },
            text: request.text,
            ts: now,
            clientMsgId: request.clientMsgId,
          };
          pending.resolve({ message, duplicate: false });
        });
      } else {
        const error = Object.assign(new StoreError(reply.message), { code: reply.code });
        for (const pending of batch.sessions) pending.reject(error);
        for (const pending of batch.appends) pending.reject(error);
      }
    }
    this.flush();
  }

  private writerDied(cause: unknown): void {
    if (this.writerFailure) return;
    this.writerFailure = new StoreError(`the store's writer thread failed: ${(cause as Error).message}`, { cause });
    const batch = this.inFlight;
    this.inFlight = null;
    if (batch) {
      for (const pending of batch.sessions) pending.reject(this.writerFailure);
      for (const pending of batch.appends) pending.reject(this.writerFailure);
    }
    this.flush();
  }

  private latestSeqSync(room: string): number {
    let latest = this.latestByRoom.get(room);
    if (latest === undefined) {
      latest = this.statements.latest.get(room)?.seq ?? 0;
      this.latestByRoom.set(room, latest);
    }
    return latest;
  }

  async latestSeq(room: string): Promise<number> {
    return this.latestSeqSync(room);
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const rows = this.statements.range.all(room, after, query.upTo, query.limit);
    rows.reverse();
    const first = rows[0];
    // Complete when nothing older than the first row is left in the range.
    const oldest = this.statements.oldest.get(room)?.seq ?? 0;
    const complete = first === undefined ? true : first.seq === after + 1 || first.seq <= oldest;
    return { messages: rows.map(toFrame), complete };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    const rows = this.statements.range.all(room, 0, before - 1, limit);
    rows.reverse();
    const first = rows[0];
    const oldest = this.statements.oldest.get(room)?.seq ?? 0;
    return { messages: rows.map(toFrame), hasOlder: first !== undefined && first.seq > oldest };
  }

  async getSession(token: string): Promise<SessionRecord | undefined> {
    const row = this.statements.getSession.get(token);
    return row ? { userId: row.user_id, name: row.name } : undefined;
  }

  saveSession(token: string, record: SessionRecord): Promise<void> {
    if (this.closed) return Promise.reject(new StoreError("store is closed"));
    if (this.writerFailure) return Promise.reject(this.writerFailure);
    return new Promise((resolve, reject) => {
      this.sessionQueue.push({ token, record: { userId: record.userId, name: record.name }, resolve, reject });
      this.scheduleFlush();
    });
  }

  async subscribe(_room: string, _listener: RoomEventListener): Promise<() => Promise<void>> {
    return async () => {};
  }

  async publish(): Promise<void> {}

  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.db.prepare("SELECT 1").get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    // Everything accepted before close is committed (and answered) first.
    await new Promise<void>((done) => {
      this.drained.push(done);
      if (!this.inFlight) this.flush();
    });
    if (!this.writerFailure) {
      const exited = new Promise<void>((done) => this.writer.once("exit", () => done()));
      const message: WriterRequest = { close: true };
      this.writer.postMessage(message);
      await exited;
    }
    this.db.close();
  }
}

function toFrame(row: MessageRow): ChatFrame {
  return {
    type: "chat",
    room: row.room,
    seq: row.seq,
    id: row.id,
    from: { id: row.user_id, name: row.user_name },
    text: row.text,
    ts: row.ts,
    clientMsgId: row.client_msg_id,
  };
}
