import { accessSync, constants, mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
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

export class StoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "StoreError";
  }
}

interface MessageRow {
  room: string;
  seq: number;
  id: string;
  user_id: string;
  user_name: string;
  text: string;
  ts: number;
  client_msg_id: string;
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

/**
 * The single-node default: history and sessions in one SQLite file under DATA_DIR, in WAL mode.
 * Appends are group-committed: every append of one event-loop tick shares one transaction, and
 * each is acked only after that transaction commits.
 */
export class SqliteBackend implements Backend {
  readonly kind = "sqlite";
  private queue: PendingAppend[] = [];
  /** Joins save sessions; a connection storm would otherwise pay one fsync per connection. */
  private sessionQueue: PendingSession[] = [];
  private flushScheduled = false;
  private readonly latestByRoom = new Map<string, number>();
  private readonly nextMessageId: () => string;
  private readonly now: () => number;
  private readonly statements;
  private readonly commitBatch: (batch: PendingAppend[], sessions: PendingSession[]) => AppendResult[];
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    readonly nodeId: string,
    readonly file: string,
    now: () => number,
  ) {
    this.now = now;
    this.nextMessageId = createMessageIds(nodeId);
    this.statements = {
      insert: db.prepare(
        "INSERT INTO messages (room, seq, id, user_id, user_name, text, ts, client_msg_id) VALUES (@room, @seq, @id, @user_id, @user_name, @text, @ts, @client_msg_id)",
      ),
      byClientMsgId: db.prepare<[string, string], MessageRow>("SELECT * FROM messages WHERE user_id = ? AND client_msg_id = ?"),
      latest: db.prepare<[string], { seq: number | null }>("SELECT MAX(seq) AS seq FROM messages WHERE room = ?"),
      range: db.prepare<[string, number, number, number], MessageRow>(
        "SELECT * FROM messages WHERE room = ? AND seq > ? AND seq <= ? ORDER BY seq DESC LIMIT ?",
      ),
      oldest: db.prepare<[string], { seq: number | null }>("SELECT MIN(seq) AS seq FROM messages WHERE room = ?"),
      getSession: db.prepare<[string], { user_id: string; name: string }>("SELECT user_id, name FROM sessions WHERE token = ?"),
      saveSession: db.prepare(
        "INSERT INTO sessions (token, user_id, name, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(token) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
      ),
    };
    this.commitBatch = db.transaction((batch: PendingAppend[], sessions: PendingSession[]) => {
      for (const pending of sessions) {
        this.statements.saveSession.run(pending.token, pending.record.userId, pending.record.name, this.now());
      }
      return batch.map((pending) => this.appendInTransaction(pending.request));
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
    return new SqliteBackend(db, options.nodeId, file, options.now ?? Date.now);
  }

  append(request: AppendRequest): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new StoreError("store is closed"));
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

  /** Commits everything queued so far in one transaction. */
  flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    const sessions = this.sessionQueue;
    if (batch.length === 0 && sessions.length === 0) return;
    this.queue = [];
    this.sessionQueue = [];
    let results: AppendResult[];
    try {
      results = this.commitBatch(batch, sessions);
    } catch (error) {
      // The transaction rolled back, so cached seqs may be ahead of the file: forget them.
      this.latestByRoom.clear();
      for (const pending of sessions) pending.reject(error);
      for (const pending of batch) pending.reject(error);
      return;
    }
    for (const pending of sessions) pending.resolve();
    for (let i = 0; i < batch.length; i++) batch[i]?.resolve(results[i] as AppendResult);
  }

  private appendInTransaction(request: AppendRequest): AppendResult {
    const original = this.statements.byClientMsgId.get(request.from.id, request.clientMsgId);
    if (original) return { message: toFrame(original), duplicate: true };
    const seq = this.latestSeqSync(request.room) + 1;
    const message: ChatFrame = {
      type: "chat",
      room: request.room,
      seq,
      id: this.nextMessageId(),
      from: { id: request.from.id, name: request.from.name },
      text: request.text,
      ts: this.now(),
      clientMsgId: request.clientMsgId,
    };
    this.statements.insert.run({
      room: message.room,
      seq,
      id: message.id,
      user_id: message.from.id,
      user_name: message.from.name,
      text: message.text,
      ts: message.ts,
      client_msg_id: message.clientMsgId,
    });
    this.latestByRoom.set(request.room, seq);
    return { message, duplicate: false };
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
    this.flush();
    this.closed = true;
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
