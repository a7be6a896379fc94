import type Database from "better-sqlite3";
import type { AccessStep } from "../access-ops";
import type { AccessReader } from "../access-state";
import type { AccessResult, AccessRunner, Dedupe } from "../access-store";
import { AppendSteps } from "../append-step";
import { aroundBounds, aroundPage } from "../around-page";
import { type ChatRow, chatOfRow, type EventRow, eventOfRow, SELECT_CHATS, SELECT_EVENTS } from "../event-rows";
import { createMessageIds } from "../message-ids";
import type {
  AppendResult,
  AroundPageResult,
  ChangeRequest,
  LatestChatsResult,
  MessageStore,
  NewerPageResult,
  PageResult,
  RangeQuery,
  RangeResult,
} from "../message-store";
import type { SqliteAccessState } from "./access-state";
import { SqliteAppendTx } from "./append-tx";
import type { GroupCommit } from "./group-commit";

/**
 * Room history in `events` (the log), `chats` (each message as it stands), `reactions` and
 * `sends` (see schema.ts). An append runs inside the shared group commit's transaction from its
 * dedupe check to its last write (append-step.ts over SqliteAppendTx), so checks and the seq it
 * takes are one atomic step.
 */
export class SqliteMessageStore implements MessageStore, AccessRunner {
  private readonly commit: GroupCommit;
  private readonly tx: SqliteAppendTx;
  private readonly steps: AppendSteps;
  private readonly statements;

  constructor(options: { db: Database.Database; commit: GroupCommit; access: SqliteAccessState; nodeId: string; now: () => number }) {
    const { db } = options;
    this.commit = options.commit;
    this.tx = new SqliteAppendTx(db, options.access);
    this.steps = new AppendSteps({ now: options.now, nextMessageId: createMessageIds(options.nodeId) });
    this.statements = {
      oldest: db.prepare<[string], { seq: number | null }>("SELECT MIN(seq) AS seq FROM events WHERE room = ?"),
      newestEvents: db.prepare<[string, number, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE e.room = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq DESC LIMIT ?`,
      ),
      oldestEvents: db.prepare<[string, number, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE e.room = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq ASC LIMIT ?`,
      ),
      newestChats: db.prepare<[string, number, number], ChatRow>(
        `${SELECT_CHATS} WHERE c.room = ? AND c.seq < ? ORDER BY c.seq DESC LIMIT ?`,
      ),
      oldestChats: db.prepare<[string, number, number, number], ChatRow>(
        `${SELECT_CHATS} WHERE c.room = ? AND c.seq > ? AND c.seq <= ? ORDER BY c.seq ASC LIMIT ?`,
      ),
    };
    // The transaction rolled back, so cached seqs may be ahead of the file: forget them.
    this.commit.onRollback(() => this.tx.forgetCachedSeqs());
  }

  append(request: ChangeRequest): Promise<AppendResult> {
    return this.commit.submit(() => this.steps.append(this.tx, request));
  }

  runAccess<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): Promise<AccessResult<T>> {
    return this.commit.submit(() => this.steps.access(this.tx, room, dedupe, decide));
  }

  async latestSeq(room: string): Promise<number> {
    return this.tx.latestSeq(room);
  }

  /** One process writes the file, so each room's latest seq is its cached counter (or one indexed read). */
  async latestSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    return new Map(rooms.map((room) => [room, this.tx.latestSeq(room)]));
  }

  async latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult> {
    const { messages, hasOlder } = this.chatsBefore(room, upTo + 1, limit);
    return { messages, complete: !hasOlder };
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const rows = this.statements.newestEvents.all(room, after, query.upTo, query.limit);
    rows.reverse();
    const first = rows[0];
    // Complete when nothing older than the first row is left in the range.
    const oldest = this.statements.oldest.get(room)?.seq ?? 0;
    const complete = first === undefined ? true : first.seq === after + 1 || first.seq <= oldest;
    return { messages: rows.map((row) => eventOfRow(room, row)), complete };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    return this.chatsBefore(room, before, limit);
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const start = Math.max(0, after);
    if (start >= upTo || limit <= 0) return { messages: [], hasNewer: start < upTo };
    // One row past the page tells whether there is more, without counting the rest.
    const rows = this.statements.oldestEvents.all(room, start, upTo, limit + 1);
    const hasNewer = rows.length > limit;
    if (hasNewer) rows.pop();
    return { messages: rows.map((row) => eventOfRow(room, row)), hasNewer };
  }

  async around(room: string, seq: number, upTo: number, limit: number): Promise<AroundPageResult> {
    const { olderBelow, newerAfter } = aroundBounds(seq, upTo);
    const older = olderBelow <= 1 ? [] : this.statements.newestChats.all(room, olderBelow, limit + 1).reverse();
    const newer = this.statements.oldestChats.all(room, newerAfter, upTo, limit + 1);
    return aroundPage(
      older.map((row) => chatOfRow(room, row)),
      newer.map((row) => chatOfRow(room, row)),
      limit,
    );
  }

  /** The newest `limit` chats below `before`, oldest first; one row more tells whether older ones exist. */
  private chatsBefore(room: string, before: number, limit: number): PageResult {
    // A limit of 0 still reads one row: whether older chats exist (WELCOME_LATEST=0).
    if (before <= 1) return { messages: [], hasOlder: false };
    const rows = this.statements.newestChats.all(room, before, limit + 1);
    const hasOlder = rows.length > limit;
    if (hasOlder) rows.pop();
    rows.reverse();
    return { messages: rows.map((row) => chatOfRow(room, row)), hasOlder };
  }
}
