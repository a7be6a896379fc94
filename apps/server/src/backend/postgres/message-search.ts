import type { SearchQuery } from "@chatroom/protocol";
import type pg from "pg";
import {
  type MessageSearch,
  SEARCH_DEFAULTS,
  type SearchCandidate,
  type SearchPage,
  type SearchPosition,
  type SearchRequest,
} from "../message-search";
import { matchesSearch } from "../search/matcher";
import { positionOf, startOfTimestamp } from "../search/order";
import { inTransaction } from "./in-transaction";
import { pageOfReads, readQueuedChats, type SourceRead } from "./search-backlog";
import { type SearchRange, SqlParams, timeConditions } from "./search-sql";
import { cjkGramsOfTerm, hasTrigram, indexableTerms, likePatternOf, storable } from "./search-text";

/** How much one PostgreSQL search may read; defaults in SEARCH_DEFAULTS. */
export interface PgSearchBounds {
  /** The first window's chats, and the most candidates an index may propose to be read and sorted (`pgQuickMax`). */
  quickMax: number;
  /** The wide window's chats (of the author, for `from:`), read when the quick steps fall short (`scanMax`). */
  scanMax: number;
  /** Chats still in the indexer's backlog read beside the index (`pgBacklogReadMax`). */
  backlogMax: number;
}

/** What a query asks of `search_docs`, as SQL conditions that only ever add candidates. */
interface SearchPlan {
  /** `body LIKE` patterns, one per term PostgreSQL can hold. */
  likes: string[];
  /** CJK grams every candidate's `cjk` must contain. */
  grams: string[];
  /** The folded author name of `from:`. */
  author?: string;
  /** True when an index narrows the candidates (a trigram, a CJK gram or the author), not only the time walk. */
  indexed: boolean;
}

/** A proposed chat: from `search_docs`, with the chat as it stands (null columns: no such chat, or no text). */
interface ProposalRow {
  room: string;
  seq: number;
  ts: number;
  user_id: string | null;
  user_name: string | null;
  text: string | null;
}

/** The search's connection, inside its read-only snapshot. */
type Db = Pick<pg.ClientBase, "query">;

/** A timestamp past any chat's (2109): the upper bound of a query with no `before` and no cursor. */
const TS_CEILING = 2 ** 42;

/**
 * Search through migration 2's `search_docs`, in at most three steps, each reading a bounded
 * number of rows:
 *
 * 1. **A quick window**: the newest `quickMax` chats of the request's rooms (shared between them;
 *    the window's edge is the newest timestamp at which a room has its share), walked newest
 *    first and filtered in SQL, cut at a page in the result order. A very common word fills its
 *    page here, and rooms holding fewer chats than the window are read whole.
 * 2. **A wide window** of `scanMax` chats, the same way, when the quick one found something (the
 *    term is likely common: the walk stops once it has a page).
 * 3. **The whole range through the GIN indexes**, when an index narrows the query (a trigram, a
 *    CJK gram, the author) and it proposes at most `quickMax` candidates: all sorted, so the page
 *    is exact and a rare word is found in one request however old it is. Taken before step 2
 *    when the quick window found nothing (the term is likely rare).
 * Otherwise the wide window's page is the answer, with a `next` below its edge (every chat of
 * the edge's timestamp was read, so the next page neither repeats nor skips).
 *
 * GIN hands out matches in no order, so a window never asks it: reading a common word's every
 * match to sort the newest would cost more than walking the newest chats (the window's
 * conditions are written so that no GIN index serves them).
 *
 * SQL only proposes: each proposal is handed to search/matcher.ts with the chat's current text,
 * so collation and ctype (what `LIKE` and pg_trgm call a letter) never change an answer.
 * Proposals come in the result order (`room COLLATE "C"`: JavaScript's order for room names), so
 * a page is cut exactly where the memory scan would cut it.
 *
 * The index holds what search-indexer.ts has reached: chats still queued in migration 4's backlog
 * are read beside it (search-backlog.ts), in the same snapshot, and merged newest first, so an
 * acked chat is found at once, by its text as it now stands.
 */
export class PgMessageSearch implements MessageSearch {
  private readonly pool: pg.Pool;
  private readonly quickMax: number;
  private readonly scanMax: number;
  private readonly backlogMax: number;

  constructor(options: { pool: pg.Pool } & Partial<PgSearchBounds>) {
    this.pool = options.pool;
    this.quickMax = options.quickMax ?? SEARCH_DEFAULTS.pgQuickMax;
    this.scanMax = options.scanMax ?? SEARCH_DEFAULTS.scanMax;
    this.backlogMax = options.backlogMax ?? SEARCH_DEFAULTS.pgBacklogReadMax;
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    const { query, after, limit } = request;
    const rooms = [...new Set(request.rooms)];
    const high = Math.min(after ? after.ts + 1 : TS_CEILING, query.before ?? TS_CEILING);
    const low = query.after ?? 0;
    if (high <= low || rooms.length === 0) return { hits: [] };
    const range: SearchRange = { rooms, low, high, after };
    // One snapshot for the index and the backlog: a chat the indexer moves from one to the other
    // meanwhile is in exactly one of them, never in neither.
    const reads = await inTransaction(
      this.pool,
      async (client) => [await this.readIndex(client, request, range), await readQueuedChats(client, query, range, this.backlogMax)],
      "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY",
    );
    return pageOfReads(reads, query, limit);
  }

  /** What `search_docs` holds for the request, in the steps above. */
  private async readIndex(db: Db, request: SearchRequest, range: SearchRange): Promise<SourceRead> {
    const { query, limit } = request;
    const plan = planOf(query);
    const quick = await this.window(db, plan, range, this.quickMax, limit + 1);
    if (isSettled(quick, limit)) return readOf(request, quick.rows, quick.edge);
    const wide = async () => (this.scanMax > this.quickMax ? this.window(db, plan, range, this.scanMax, limit + 1) : quick);
    const everything = async () => (plan.indexed ? this.allCandidates(db, plan, range, limit + 1) : undefined);
    // A term the quick window found is likely common: the wide window first, which stops at a
    // page. One it did not find is likely rare: the indexes first, which read only its matches.
    let last = quick;
    if (quick.rows.length > 0) {
      last = await wide();
      if (isSettled(last, limit)) return readOf(request, last.rows, last.edge);
    }
    const all = await everything();
    if (all) return readOf(request, all, undefined);
    if (quick.rows.length === 0) last = await wide();
    return readOf(request, last.rows, last.edge);
  }

  /** The first `count` proposals of the newest `size` chats of the range, and the window's edge (none: it holds the range). */
  private async window(db: Db, plan: SearchPlan, range: SearchRange, size: number, count: number) {
    const edge = await this.windowEdge(db, plan, range, size);
    const rows = await this.proposals(db, plan, edge === undefined ? range : { ...range, low: edge }, count);
    return { edge, rows };
  }

  /**
   * The lower edge of a window of `size` chats, a timestamp (the window keeps all of it), or
   * undefined when the rooms hold no more than that in the range: the newest timestamp at which
   * a room has its share, read from each room's newest-first index (index-only).
   */
  private async windowEdge(db: Db, plan: SearchPlan, range: SearchRange, size: number): Promise<number | undefined> {
    const params = new SqlParams();
    const share = Math.max(1, Math.floor(size / range.rooms.length));
    const rooms = params.add(range.rooms);
    const where = [
      "d.room = r.room",
      ...timeConditions(params, range, "r.room"),
      ...(plan.author === undefined ? [] : [`d.author = ${params.add(plan.author)}`]),
    ];
    const sql = `SELECT max(b.ts) AS edge FROM unnest(${rooms}::text[]) AS r(room)
      CROSS JOIN LATERAL (SELECT d.ts FROM search_docs AS d WHERE ${where.join(" AND ")}
        ORDER BY d.ts DESC, d.seq DESC OFFSET ${params.add(share - 1)} LIMIT 1) AS b`;
    const { rows } = await db.query<{ edge: number | null }>(sql, params.values);
    const edge = rows[0]?.edge ?? undefined;
    return edge === undefined || edge <= range.low ? undefined : edge;
  }

  /** The first `count` chats of `range` the plan proposes, in the result order, with the chats as they stand. */
  private async proposals(db: Db, plan: SearchPlan, range: SearchRange, count: number): Promise<ProposalRow[]> {
    const params = new SqlParams();
    const where = conditionsOf(params, plan, range, "walk");
    const sql = `SELECT p.room, p.seq, p.ts, c.user_id, c.user_name, c.text FROM (
        SELECT d.room, d.seq, d.ts FROM search_docs AS d WHERE ${where}
        ORDER BY ${orderOf(range.rooms)} LIMIT ${params.add(count)}
      ) AS p ${JOIN_CHATS}`;
    return (await db.query<ProposalRow>(sql, params.values)).rows;
  }

  /**
   * Every candidate of the whole range through the indexes, when there are at most `quickMax`:
   * the first `count` of them in the result order. Undefined when there are more, found without
   * reading past `quickMax + 1` of them.
   */
  private async allCandidates(db: Db, plan: SearchPlan, range: SearchRange, count: number): Promise<ProposalRow[] | undefined> {
    const params = new SqlParams();
    const where = conditionsOf(params, plan, range, "indexes");
    const sql = `WITH candidates AS MATERIALIZED (
        SELECT d.room, d.seq, d.ts FROM search_docs AS d WHERE ${where} LIMIT ${params.add(this.quickMax + 1)}
      )
      SELECT p.room, p.seq, p.ts, c.user_id, c.user_name, c.text, (SELECT count(*)::int FROM candidates) AS candidates FROM (
        SELECT room, seq, ts FROM candidates ORDER BY ts DESC, room COLLATE "C", seq DESC LIMIT ${params.add(count)}
      ) AS p ${JOIN_CHATS}`;
    const { rows } = await db.query<ProposalRow & { candidates: number }>(sql, params.values);
    if ((rows[0]?.candidates ?? 0) > this.quickMax) return undefined;
    return rows;
  }
}

/** A window's page is final: it holds the whole range, or more proposals than the page. */
function isSettled(window: { edge: number | undefined; rows: readonly ProposalRow[] }, limit: number): boolean {
  return window.edge === undefined || window.rows.length > limit;
}

const JOIN_CHATS = `LEFT JOIN chats AS c ON c.room = p.room AND c.seq = p.seq
  ORDER BY p.ts DESC, p.room COLLATE "C", p.seq DESC`;

/** Which indexes can propose candidates for `query`, and the conditions it becomes. */
export function planOf(query: SearchQuery): SearchPlan {
  // Terms PostgreSQL cannot hold (a NUL, a lone surrogate) are left to the matcher.
  const terms = indexableTerms(query.terms);
  const grams = [...new Set(terms.flatMap(cjkGramsOfTerm))];
  return {
    likes: terms.map(likePatternOf),
    grams,
    ...(query.from === undefined ? {} : { author: storable(query.from) }),
    indexed: query.from !== undefined || grams.length > 0 || terms.some(hasTrigram),
  };
}

/**
 * What proposals in the result order hold: the matcher decides, and the read is complete up to
 * its last row when SQL had more to propose, else below the window's edge (every chat of the
 * edge's timestamp was read), else over the whole range.
 */
function readOf(request: SearchRequest, rows: readonly ProposalRow[], edge: number | undefined): SourceRead {
  const rooms = new Set(request.rooms);
  const matched: SearchCandidate[] = [];
  for (const row of rows) {
    const { room, seq, ts, user_id: id, user_name: name, text } = row;
    if (id === null || name === null || text === null) continue;
    const candidate = { room, seq, ts, from: { id, name }, text };
    if (matchesSearch(request.query, rooms, candidate)) matched.push(candidate);
  }
  const lastRow = rows[rows.length - 1];
  let bound: SearchPosition | undefined;
  if (rows.length > request.limit && lastRow) bound = positionOf(lastRow);
  else if (edge !== undefined) bound = startOfTimestamp(edge - 1);
  return { matched, bound };
}

/**
 * Every condition on `search_docs AS d` for the plan in the range. `walk`: for a window, read in
 * time order; `body || ''` is not the indexed expression, so no GIN index is used, and the CJK
 * grams are left out (the LIKE of the same term is as strict). `indexes`: for the GIN indexes.
 */
function conditionsOf(params: SqlParams, plan: SearchPlan, range: SearchRange, use: "walk" | "indexes"): string {
  const [only] = range.rooms;
  const body = use === "walk" ? "(d.body || '')" : "d.body";
  const conditions = [
    range.rooms.length === 1 ? `d.room = ${params.add(only)}` : `d.room = ANY(${params.add(range.rooms)}::text[])`,
    ...timeConditions(params, range, "d.room"),
    ...(plan.author === undefined ? [] : [`d.author = ${params.add(plan.author)}`]),
    ...plan.likes.map((pattern) => `${body} LIKE ${params.add(pattern)}`),
    ...(plan.grams.length === 0 || use === "walk" ? [] : [`d.cjk @> ${params.add(plan.grams)}::text[]`]),
  ];
  return conditions.join(" AND ");
}

/** The result order; in one room it is the room index's own order, so PostgreSQL can stop after a page. */
function orderOf(rooms: readonly string[]): string {
  return rooms.length === 1 ? "d.ts DESC, d.seq DESC" : `d.ts DESC, d.room COLLATE "C", d.seq DESC`;
}
