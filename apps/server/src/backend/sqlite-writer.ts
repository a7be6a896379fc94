/** A chat message as stored; column names as in the schema. */
export interface MessageRow {
  room: string;
  seq: number;
  id: string;
  user_id: string;
  user_name: string;
  text: string;
  ts: number;
  client_msg_id: string;
}

/** One append as the writer needs it; the main thread has already drawn its id and time. */
export interface WriterAppend {
  room: string;
  userId: string;
  userName: string;
  text: string;
  clientMsgId: string;
  id: string;
}

export interface WriterSession {
  token: string;
  userId: string;
  name: string;
}

/** One group commit: every append and session save of one batch, in one transaction. */
export interface WriterBatch {
  appends: WriterAppend[];
  sessions: WriterSession[];
  now: number;
}

/**
 * Per append, in order, the seq it was stored at; a duplicate's original row instead, keyed by
 * its index. The main thread already holds everything else of a new message, so only numbers
 * cross the thread boundary on the common path.
 */
export type WriterReply =
  | { ok: true; seqs: number[]; originals: Map<number, MessageRow> | null }
  | { ok: false; message: string; code: string | undefined };

export type WriterRequest = { batch: WriterBatch } | { close: true };

export interface WriterData {
  file: string;
  synchronous: "FULL" | "NORMAL";
  /** Resolved path of better-sqlite3, so the thread loads the same copy as the main thread. */
  driver: string;
}

/**
 * The body of the writer thread, run with `new Worker(`(${writerThread})()`, { eval: true })` so
 * the same source works from TypeScript under the test runner and from the bundled server. It
 * must stay self-contained: no imports and nothing from the enclosing module, only Node builtins
 * reached through `process.getBuiltinModule`.
 *
 * It owns the write connection: seq assignment (the latest seq per room, cached, forgotten on a
 * rollback), clientMsgId dedup, and the fsync of each commit, which no longer stalls fan-out on
 * the main thread. Batches are handled one at a time in arrival order, so replies come back in
 * order.
 */
export function writerThread(): void {
  const threads = process.getBuiltinModule("node:worker_threads");
  const { createRequire } = process.getBuiltinModule("node:module");
  const port = threads.parentPort;
  const data = threads.workerData as WriterData;
  if (!port) throw new Error("writerThread runs in a worker");
  const Database = createRequire(data.driver)(data.driver) as typeof import("better-sqlite3");
  const db = new Database(data.file);
  db.pragma("journal_mode = WAL");
  db.pragma(`synchronous = ${data.synchronous}`);
  db.pragma("busy_timeout = 5000");
  const insert = db.prepare(
    "INSERT INTO messages (room, seq, id, user_id, user_name, text, ts, client_msg_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const byClientMsgId = db.prepare<[string, string], MessageRow>("SELECT * FROM messages WHERE user_id = ? AND client_msg_id = ?");
  const latest = db.prepare<[string], { seq: number | null }>("SELECT MAX(seq) AS seq FROM messages WHERE room = ?");
  const saveSession = db.prepare(
    "INSERT INTO sessions (token, user_id, name, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(token) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at",
  );
  const latestByRoom = new Map<string, number>();

  const commit = db.transaction((batch: WriterBatch) => {
    for (const session of batch.sessions) saveSession.run(session.token, session.userId, session.name, batch.now);
    const seqs: number[] = [];
    let originals: Map<number, MessageRow> | null = null;
    for (const append of batch.appends) {
      const original = byClientMsgId.get(append.userId, append.clientMsgId);
      if (original) {
        originals ??= new Map();
        originals.set(seqs.length, original);
        seqs.push(original.seq);
        continue;
      }
      let seq = latestByRoom.get(append.room);
      if (seq === undefined) seq = latest.get(append.room)?.seq ?? 0;
      seq += 1;
      insert.run(append.room, seq, append.id, append.userId, append.userName, append.text, batch.now, append.clientMsgId);
      latestByRoom.set(append.room, seq);
      seqs.push(seq);
    }
    return { seqs, originals };
  });

  port.on("message", (request: WriterRequest) => {
    if ("close" in request) {
      db.close();
      port.close();
      return;
    }
    let reply: WriterReply;
    try {
      reply = { ok: true, ...commit(request.batch) };
    } catch (error) {
      // The transaction rolled back, so cached seqs may be ahead of the file: forget them.
      latestByRoom.clear();
      const failure = error as { message?: string; code?: string };
      reply = { ok: false, message: String(failure.message ?? error), code: failure.code };
    }
    port.postMessage(reply);
  });
}
