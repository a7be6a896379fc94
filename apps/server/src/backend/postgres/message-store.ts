import type pg from "pg";
import type { AccessStep } from "../access-ops";
import type { AccessReader } from "../access-state";
import type { AccessResult, AccessRunner, Dedupe } from "../access-store";
import { AppendSteps } from "../append-step";
import { aroundBounds, aroundPage } from "../around-page";
import { targetOf } from "../change-rules";
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
import type { TickCommit } from "./tick-commit";
import type { RowRequest } from "./tick-sql";
import { META_ENTRY } from "./tick-state";

const READS = {
  latest: "SELECT seq FROM rooms WHERE room = $1",
  latestOfMany: "SELECT room, seq FROM rooms WHERE room = ANY($1::text[])",
  oldest: "SELECT MIN(seq) AS seq FROM events WHERE room = $1",
  newestEvents: `${SELECT_EVENTS} WHERE e.room = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY e.seq DESC LIMIT $4`,
  oldestEvents: `${SELECT_EVENTS} WHERE e.room = $1 AND e.seq > $2 AND e.seq <= $3 ORDER BY e.seq ASC LIMIT $4`,
  newestChats: `${SELECT_CHATS} WHERE c.room = $1 AND c.seq < $2 ORDER BY c.seq DESC LIMIT $3`,
  oldestChats: `${SELECT_CHATS} WHERE c.room = $1 AND c.seq > $2 AND c.seq <= $3 ORDER BY c.seq ASC LIMIT $4`,
} as const;

/**
 * Rooms per `latestSeqs` query: a node serving 10,000 rooms asks in a few statements of bounded
 * size rather than one that grows with the node (bind parameters, plan and result in memory).
 */
export const LATEST_SEQS_PER_QUERY = 1_000;

/**
 * Room history on PostgreSQL, in the tables of migration 1 (SQLite's, column for column, plus the
 * `rooms` seq counters). Appends and access steps run through the tick commit (tick-commit.ts):
 * the same checks and writes as SQLite (append-step.ts), under the rooms' counter-row locks, acked
 * after COMMIT. Reads are plain queries on the pool: they never wait for a tick.
 */
export class PgMessageStore implements MessageStore, AccessRunner {
  private readonly pool: pg.Pool;
  private readonly commit: TickCommit;
  private readonly steps: AppendSteps;

  constructor(options: { pool: pg.Pool; commit: TickCommit; nodeId: string; now: () => number }) {
    this.pool = options.pool;
    this.commit = options.commit;
    this.steps = new AppendSteps({ now: options.now, nextMessageId: createMessageIds(options.nodeId) });
  }

  append(request: ChangeRequest): Promise<AppendResult> {
    return this.commit.submit({
      room: request.room,
      prefetch: (rows) => prefetchAppend(rows, request),
      run: (state) => this.steps.append(state, request),
      stored: (result) => (result.ok && !result.duplicate && result.event ? [result.event] : []),
    });
  }

  runAccess<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): Promise<AccessResult<T>> {
    return this.commit.submit({
      room,
      prefetch: (rows) => {
        if (dedupe) rows.add({ kind: "sends", ...dedupe });
        rows.add({ kind: "access-room", room }).add({ kind: "members", room });
      },
      run: (state) => this.steps.access(state, room, dedupe, decide),
      stored: (result) => (result.ok && !result.duplicate ? result.events : []),
    });
  }

  async latestSeq(room: string): Promise<number> {
    const result = await this.pool.query<{ seq: number }>({ name: "chatroom-latest", text: READS.latest, values: [room] });
    return result.rows[0]?.seq ?? 0;
  }

  /** One query per `LATEST_SEQS_PER_QUERY` rooms, one after another so the check never holds several pool connections. */
  async latestSeqs(rooms: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(rooms)];
    const latest = new Map(unique.map((room) => [room, 0]));
    for (let start = 0; start < unique.length; start += LATEST_SEQS_PER_QUERY) {
      const chunk = unique.slice(start, start + LATEST_SEQS_PER_QUERY);
      const rows = await this.rows<{ room: string; seq: number }>("chatroom-latest-of-many", READS.latestOfMany, [chunk]);
      for (const row of rows) latest.set(row.room, row.seq);
    }
    return latest;
  }

  async latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult> {
    const { messages, hasOlder } = await this.chatsBefore(room, upTo + 1, limit);
    return { messages, complete: !hasOlder };
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const rows = await this.rows<EventRow>("chatroom-newest-events", READS.newestEvents, [room, after, query.upTo, query.limit]);
    rows.reverse();
    const first = rows[0];
    // Complete when nothing older than the first row is left in the range.
    const oldest = (await this.rows<{ seq: number | null }>("chatroom-oldest", READS.oldest, [room]))[0]?.seq ?? 0;
    const complete = first === undefined ? true : first.seq === after + 1 || first.seq <= oldest;
    return { messages: rows.map((row) => eventOfRow(room, row)), complete };
  }

  before(room: string, before: number, limit: number): Promise<PageResult> {
    return this.chatsBefore(room, before, limit);
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const start = Math.max(0, after);
    if (start >= upTo || limit <= 0) return { messages: [], hasNewer: start < upTo };
    // One row past the page tells whether there is more, without counting the rest.
    const rows = await this.rows<EventRow>("chatroom-oldest-events", READS.oldestEvents, [room, start, upTo, limit + 1]);
    const hasNewer = rows.length > limit;
    if (hasNewer) rows.pop();
    return { messages: rows.map((row) => eventOfRow(room, row)), hasNewer };
  }

  async around(room: string, seq: number, upTo: number, limit: number): Promise<AroundPageResult> {
    const { olderBelow, newerAfter } = aroundBounds(seq, upTo);
    const [older, newer] = await Promise.all([
      olderBelow <= 1 ? [] : this.rows<ChatRow>("chatroom-newest-chats", READS.newestChats, [room, olderBelow, limit + 1]),
      this.rows<ChatRow>("chatroom-oldest-chats", READS.oldestChats, [room, newerAfter, upTo, limit + 1]),
    ]);
    older.reverse();
    return aroundPage(
      older.map((row) => chatOfRow(room, row)),
      newer.map((row) => chatOfRow(room, row)),
      limit,
    );
  }

  /** The newest `limit` chats below `before`, oldest first; one row more tells whether older ones exist. */
  private async chatsBefore(room: string, before: number, limit: number): Promise<PageResult> {
    // A limit of 0 still reads one row: whether older chats exist (WELCOME_LATEST=0).
    if (before <= 1) return { messages: [], hasOlder: false };
    const rows = await this.rows<ChatRow>("chatroom-newest-chats", READS.newestChats, [room, before, limit + 1]);
    const hasOlder = rows.length > limit;
    if (hasOlder) rows.pop();
    rows.reverse();
    return { messages: rows.map((row) => chatOfRow(room, row)), hasOlder };
  }

  private async rows<Row extends pg.QueryResultRow>(name: string, text: string, values: unknown[]): Promise<Row[]> {
    return (await this.pool.query<Row>({ name, text, values })).rows;
  }
}

/** What an append reads in the common case, loaded for the whole tick at once (a miss costs one more query). */
function prefetchAppend(rows: RowRequest, request: ChangeRequest): void {
  const { room, actor } = request;
  rows.add({ kind: "sends", userId: actor.id, clientMsgId: request.clientMsgId });
  if (request.kind === "moderate") {
    rows.add({ kind: "access-room", room }).add({ kind: "members", room });
    return;
  }
  rows.add({ kind: "access", room, entry: META_ENTRY.kind, key: META_ENTRY.key });
  for (const entry of ["role", "ban", "mute"] as const) rows.add({ kind: "access", room, entry, key: actor.id });
  if (actor.addressHash !== undefined) rows.add({ kind: "access", room, entry: "address-ban", key: actor.addressHash });
  rows.add({ kind: "slow-chat", room, userId: actor.id });
  const target = targetOf(request);
  if (target !== undefined) rows.add({ kind: "chat", room, seq: target });
  if (request.kind === "react" && target !== undefined) {
    rows.add({ kind: "reactor", room, seq: target, emoji: request.emoji, userId: actor.id });
  }
  if (
    (request.kind === "chat" || request.kind === "edit") &&
    request.mentionsRoom !== true &&
    request.roomMentionMembersMax !== undefined
  ) {
    rows.add({ kind: "members", room });
  }
}
