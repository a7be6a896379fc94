import type Database from "better-sqlite3";
import { createMessageIds } from "../message-ids";
import type {
  AppendRequest,
  AppendResult,
  MessageStore,
  NewerPageResult,
  PageResult,
  RangeQuery,
  RangeResult,
  StoredEvent,
} from "../message-store";
import type { GroupCommit } from "./group-commit";

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

/** Room history in the `messages` table; appends go through the shared group commit. */
export class SqliteMessageStore implements MessageStore {
  /** A room's latest seq, read once and then kept in step with this node's appends. */
  private readonly latestByRoom = new Map<string, number>();
  private readonly nextMessageId: () => string;
  private readonly now: () => number;
  private readonly commit: GroupCommit;
  private readonly statements;

  constructor(options: { db: Database.Database; commit: GroupCommit; nodeId: string; now: () => number }) {
    const { db } = options;
    this.commit = options.commit;
    this.now = options.now;
    this.nextMessageId = createMessageIds(options.nodeId);
    this.statements = {
      insert: db.prepare(
        "INSERT INTO messages (room, seq, id, user_id, user_name, text, ts, client_msg_id) VALUES (@room, @seq, @id, @user_id, @user_name, @text, @ts, @client_msg_id)",
      ),
      byClientMsgId: db.prepare<[string, string], MessageRow>("SELECT * FROM messages WHERE user_id = ? AND client_msg_id = ?"),
      latest: db.prepare<[string], { seq: number | null }>("SELECT MAX(seq) AS seq FROM messages WHERE room = ?"),
      range: db.prepare<[string, number, number, number], MessageRow>(
        "SELECT * FROM messages WHERE room = ? AND seq > ? AND seq <= ? ORDER BY seq DESC LIMIT ?",
      ),
      forward: db.prepare<[string, number, number, number], MessageRow>(
        "SELECT * FROM messages WHERE room = ? AND seq > ? AND seq <= ? ORDER BY seq ASC LIMIT ?",
      ),
      oldest: db.prepare<[string], { seq: number | null }>("SELECT MIN(seq) AS seq FROM messages WHERE room = ?"),
    };
    // The transaction rolled back, so cached seqs may be ahead of the file: forget them.
    this.commit.onRollback(() => this.latestByRoom.clear());
  }

  append(request: AppendRequest): Promise<AppendResult> {
    return this.commit.submit(() => this.appendInTransaction(request));
  }

  private appendInTransaction(request: AppendRequest): AppendResult {
    const original = this.statements.byClientMsgId.get(request.from.id, request.clientMsgId);
    if (original) return { message: toEvent(original), duplicate: true };
    const seq = this.latestSeqSync(request.room) + 1;
    const message: StoredEvent = {
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
    return { messages: rows.map(toEvent), complete };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    const rows = this.statements.range.all(room, 0, before - 1, limit);
    rows.reverse();
    const first = rows[0];
    const oldest = this.statements.oldest.get(room)?.seq ?? 0;
    return { messages: rows.map(toEvent), hasOlder: first !== undefined && first.seq > oldest };
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const start = Math.max(0, after);
    if (start >= upTo || limit <= 0) return { messages: [], hasNewer: start < upTo };
    // One row past the page tells whether there is more, without counting the rest.
    const rows = this.statements.forward.all(room, start, upTo, limit + 1);
    const hasNewer = rows.length > limit;
    if (hasNewer) rows.pop();
    return { messages: rows.map(toEvent), hasNewer };
  }
}

function toEvent(row: MessageRow): StoredEvent {
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
