import { codePointLength, type SearchQuery } from "@chatroom/protocol";
import type Database from "better-sqlite3";
import { type MessageSearch, SEARCH_DEFAULTS, type SearchCandidate, type SearchPage, type SearchRequest } from "../message-search";
import { NewestFirstCollector } from "../search/collector";
import { isAllCjk } from "./search-functions";

/** A row the index walk read; the chat's columns are null when the SQL filters (rooms, author) left it out. */
interface CandidateRow {
  room: string;
  seq: number;
  /** The timestamp the row's docid was made from: the walk's order. */
  slot: number;
  ts: number | null;
  userId: string | null;
  userName: string | null;
  text: string | null;
}

/** How much one SQLite search may read; defaults in SEARCH_DEFAULTS. */
export interface SqliteSearchBounds {
  scanMax: number;
  wholeReadMax: number;
}

/** A chat of a room read whole. */
interface RoomChatRow {
  room: string;
  seq: number;
  ts: number;
  userId: string;
  userName: string;
  text: string;
}

type IndexName = "search_trigram" | "search_cjk";
/** The candidate sources: an FTS index, the indexer's backlog beside it, or (undefined) `search_docs` itself. */
type SourceName = IndexName | "search_backlog";

/** A timestamp past any chat's (2109): the upper bound of a query with no `before` and no cursor. */
const TS_CEILING = 2 ** 42;

/**
 * Search through migration 7's indexes. The query picks one candidate source: the trigram index
 * when a term has three or more code points, else the CJK index when every short term is Han,
 * Kana or Hangul, else `search_docs` itself (by author for `from:`). Each walks its rowids, which
 * are time-ordered, from the newest down, joined to the chat as it stands when its room (and
 * author) may be searched; the shared collector matches, orders and cuts the page and stops
 * reading as soon as it can, so a common word costs a page's worth of rows, not every row that
 * has it, and a query that matches little stops at the scan budget with a `next`.
 *
 * Rooms whose whole history fits the budget (the usual "this room" search, or a user of a few
 * small rooms on a big server) are read whole from their own rows instead: an index walk would
 * spend its budget on other rooms' matches and answer page after short page, each a request the
 * user's search budget pays for, before it reached theirs.
 */
export class SqliteMessageSearch implements MessageSearch {
  private readonly statements = new Map<string, Database.Statement>();
  private readonly latestSeq: Database.Statement<[string], { seq: number | null }>;
  private readonly roomRows: Database.Statement;

  private readonly db: Database.Database;
  private readonly scanMax: number;
  private readonly wholeReadMax: number;

  constructor(options: { db: Database.Database } & Partial<SqliteSearchBounds>) {
    const { db } = options;
    this.db = db;
    this.scanMax = options.scanMax ?? SEARCH_DEFAULTS.scanMax;
    this.wholeReadMax = options.wholeReadMax ?? SEARCH_DEFAULTS.wholeReadMax;
    this.latestSeq = db.prepare("SELECT MAX(seq) AS seq FROM events WHERE room = ?");
    // By each room's primary key; the rows are at most `wholeReadMax`, so the sort is cheap.
    this.roomRows = db.prepare(`SELECT room, seq, ts, user_id AS userId, user_name AS userName, text FROM chats
      WHERE room IN (SELECT value FROM json_each(@rooms)) AND text IS NOT NULL AND ts < @high AND ts >= @low
      ORDER BY ts DESC`);
  }

  async search(request: SearchRequest): Promise<SearchPage> {
    const { query, after } = request;
    const high = Math.min(after ? after.ts + 1 : TS_CEILING, query.before ?? TS_CEILING);
    const low = query.after ?? 0;
    const collector = new NewestFirstCollector(request, this.scanMax);
    if (high <= low || request.rooms.length === 0) return collector.page();
    if (this.historyOf(request.rooms) <= this.wholeReadMax) {
      for (const candidate of this.roomChats(request.rooms, high, low)) {
        if (!collector.offer(candidate)) break;
      }
      return collector.page();
    }
    const plan = planOf(query);
    const statement = this.statement(plan.index, query.from !== undefined);
    const parameters = {
      high,
      low,
      rooms: JSON.stringify(request.rooms),
      ...(plan.match === undefined ? {} : { match: plan.match }),
      ...(query.from === undefined ? {} : { author: query.from }),
    };
    const indexed = statement.iterate(parameters) as IterableIterator<CandidateRow>;
    // The FTS tables hold what the indexer has reached; chats still in its backlog are read beside them.
    const { match: _match, ...backlogParameters } = parameters;
    const rows =
      plan.index === undefined
        ? indexed
        : newestFirst(
            indexed,
            this.statement("search_backlog", query.from !== undefined).iterate(backlogParameters) as IterableIterator<CandidateRow>,
          );
    for (const row of rows) {
      const { ts, userId, userName, text } = row;
      const more =
        ts === null || userId === null || userName === null || text === null
          ? collector.skip(row.slot)
          : collector.offer({ room: row.room, seq: row.seq, ts, from: { id: userId, name: userName }, text });
      if (!more) break;
    }
    return collector.page();
  }

  /** Events the rooms hold, chats and every other kind: a bound on the chats a whole read meets. */
  private historyOf(rooms: readonly string[]): number {
    let total = 0;
    for (const room of rooms) {
      total += this.latestSeq.get(room)?.seq ?? 0;
      if (total > this.wholeReadMax) break;
    }
    return total;
  }

  /** Every chat of `rooms` with text in the time bounds, newest first as the collector takes them. */
  private *roomChats(rooms: readonly string[], high: number, low: number): Generator<SearchCandidate> {
    for (const row of this.roomRows.iterate({ rooms: JSON.stringify(rooms), high, low }) as IterableIterator<RoomChatRow>) {
      const { userId, userName, ...chat } = row;
      yield { ...chat, from: { id: userId, name: userName } };
    }
  }

  /** The SQL of one candidate source; see `explainSearch` for the plans. */
  static sqlOf(index: SourceName | undefined, byAuthor: boolean): string {
    const rowid = index === undefined ? "d.docid" : "f.rowid";
    const select = `SELECT d.room AS room, d.seq AS seq, ${rowid} >> 20 AS slot, c.ts AS ts, c.user_id AS userId, c.user_name AS userName, c.text AS text`;
    // Rows of other rooms (or authors) still come back, without the chat: they spend the scan
    // budget like any other, so no query reads without bound. `+d.room`: never the (room, seq)
    // index, whose order is not time order and would need a sort of every row.
    const filters = `+d.room IN (SELECT value FROM json_each(@rooms))${byAuthor && index !== undefined ? " AND d.author = @author" : ""}`;
    const chat = `LEFT JOIN chats AS c ON ${filters} AND c.room = d.room AND c.seq = d.seq`;
    const bounds = `${rowid} < (@high << 20) AND ${rowid} >= (@low << 20)`;
    // CROSS JOIN fixes the loop order: the index walk outside, so ORDER BY is its own order and no sort is needed.
    if (index === undefined) {
      const author = byAuthor ? "d.author = @author AND " : "";
      return `${select} FROM search_docs AS d ${chat} WHERE ${author}${bounds} ORDER BY d.docid DESC`;
    }
    if (index === "search_backlog") {
      return `${select} FROM search_backlog AS f CROSS JOIN search_docs AS d ON d.docid = f.rowid ${chat}
      WHERE ${bounds} ORDER BY f.rowid DESC`;
    }
    return `${select} FROM ${index} AS f CROSS JOIN search_docs AS d ON d.docid = f.rowid ${chat}
      WHERE f.${index} MATCH @match AND ${bounds} ORDER BY f.rowid DESC`;
  }

  private statement(index: SourceName | undefined, byAuthor: boolean): Database.Statement {
    const key = `${index ?? "docs"}:${byAuthor}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(SqliteMessageSearch.sqlOf(index, byAuthor));
      this.statements.set(key, statement);
    }
    return statement;
  }
}

/** Which index proposes candidates for `query`, and its FTS5 query: every indexable term as a quoted phrase. */
export function planOf(query: SearchQuery): { index?: IndexName; match?: string } {
  const usable = query.terms.filter(indexable);
  const long = usable.filter((term) => codePointLength(term) >= 3);
  if (long.length > 0) return { index: "search_trigram", match: long.map(quoted).join(" ") };
  const cjk = usable.filter(isAllCjk);
  if (cjk.length > 0) return { index: "search_cjk", match: cjk.map((term) => quoted([...term].join(" "))).join(" ") };
  return {};
}

/**
 * A term an FTS5 string can carry exactly. Others (a NUL, a lone surrogate, which would reach
 * SQLite as U+FFFD) are left to the matcher: the index is asked for the other terms only.
 */
function indexable(term: string): boolean {
  return !term.includes("\0") && !LONE_SURROGATE.test(term);
}

/** In a `u` regex a pair is one code point, so only an unpaired surrogate is in this range. */
const LONE_SURROGATE = /[\uD800-\uDFFF]/u;

/** An FTS5 string: inside double quotes nothing is syntax but the quote itself, doubled. */
function quoted(term: string): string {
  return `"${term.replaceAll('"', '""')}"`;
}

/**
 * Two newest-first row streams as one, by the timestamp slot of their docids (rows of one slot
 * may come in any order: the collector sorts each timestamp whole).
 */
function* newestFirst(a: Iterator<CandidateRow>, b: Iterator<CandidateRow>): Generator<CandidateRow> {
  try {
    let x = a.next();
    let y = b.next();
    while (!x.done || !y.done) {
      if (y.done || (!x.done && x.value.slot >= y.value.slot)) {
        yield x.value;
        x = a.next();
      } else {
        yield y.value;
        y = b.next();
      }
    }
  } finally {
    // A page settled early leaves both statements mid-walk: release them.
    a.return?.();
    b.return?.();
  }
}
