import type { ServerFrame } from "@chatroom/protocol";
import { answersRequest, answersRoom, BenchSocket } from "./search-client";
import type { BenchQuery } from "./search-queries";

/** Timings of one measured kind (a query kind, or opening a link), with what went wrong. */
export interface Samples {
  ms: number[];
  /** Hits per answered search (link opens: messages in the page). */
  hits: number[];
  /** Requests each answer took: search pages until the first page was complete (link opens: 1). */
  pages: number[];
  errors: number;
  errorSamples: string[];
  /**
   * Answers that cannot be right: a search with fewer hits than the corpus guarantees (the page
   * limit, or every message holding the term when fewer) once no `next` is left, or a page around
   * a seq without that seq.
   */
  wrong: number;
  wrongSamples: string[];
}

export function emptySamples(): Samples {
  return { ms: [], hits: [], pages: [], errors: 0, errorSamples: [], wrong: 0, wrongSamples: [] };
}

const SAMPLE_LIMIT = 3;
/** A query that needs more pages than this to fill its first page counts as wrong (1M / scan budget = 50). */
const MAX_PAGES = 200;

function note(list: string[], text: string): void {
  if (list.length < SAMPLE_LIMIT) list.push(text);
}

export interface MeasureOptions {
  port: number;
  room: string;
  /** Results per search page (the `limit` of the frame). */
  pageLimit: number;
  /** Messages per `history around` page. */
  historyLimit: number;
  /** Searches sent on one connection before the next one takes over: below the per-connection budget. */
  searchesPerConnection: number;
  timeoutMs: number;
}

/**
 * Sends searches one at a time, each timed from send to answer. A connection is retired after
 * `searchesPerConnection` searches so the per-connection search budget (10 at once, then 2 per
 * second) never throttles the bench: what is measured is the server's work, not its rate limit.
 * Every connection has joined the room, as a reader who searches it does.
 */
export class Searcher {
  private socket: BenchSocket | undefined;
  private used = 0;
  private opened = 0;
  private sent = 0;

  constructor(private readonly options: MeasureOptions) {}

  /**
   * One query, timed until its first page is complete: a store may answer with fewer hits and a
   * `next` when it stopped at its scan budget (SQLite), and a search box then asks for more, so
   * the bench follows `next` until it has the hits the room guarantees or no `next` is left. The
   * time is the sum of the requests' times; opening a fresh connection in between is not in it.
   */
  async search(query: BenchQuery, into: Samples | undefined): Promise<void> {
    const { room, pageLimit, timeoutMs } = this.options;
    const atLeast = Math.min(pageLimit, query.messages);
    let ms = 0;
    let hits = 0;
    let pages = 0;
    let cursor: string | undefined;
    do {
      const socket = await this.connection();
      const clientMsgId = `search-${this.sent++}`;
      const frame = { type: "search" as const, clientMsgId, query: query.query, room, limit: pageLimit, ...(cursor ? { cursor } : {}) };
      const started = performance.now();
      let answer: ServerFrame;
      try {
        answer = await socket.request(frame, answersRequest(clientMsgId), timeoutMs);
      } catch (error) {
        this.retire();
        if (into) {
          into.errors++;
          note(into.errorSamples, `${query.query}: ${(error as Error).message}`);
        }
        return;
      }
      ms += performance.now() - started;
      pages++;
      if (answer.type !== "search-results") {
        if (into) {
          into.errors++;
          note(into.errorSamples, `${query.query}: ${answer.type === "error" ? `${answer.code}: ${answer.message}` : answer.type}`);
        }
        return;
      }
      hits += answer.results.length;
      cursor = answer.next;
    } while (hits < atLeast && cursor !== undefined && pages < MAX_PAGES);
    if (!into) return;
    into.ms.push(ms);
    into.hits.push(hits);
    into.pages.push(pages);
    if (hits < atLeast) {
      into.wrong++;
      note(into.wrongSamples, `${query.query}: ${hits} hits in ${pages} pages, the room holds at least ${atLeast}`);
    }
  }

  /** Connections opened so far (each joined the room). */
  get connections(): number {
    return this.opened;
  }

  close(): void {
    this.retire();
  }

  private async connection(): Promise<BenchSocket> {
    if (this.socket && this.used < this.options.searchesPerConnection) {
      this.used++;
      return this.socket;
    }
    this.retire();
    const { port, room, timeoutMs } = this.options;
    const socket = await BenchSocket.open(port, `searcher${this.opened++}`, timeoutMs);
    const joined = await socket.request({ type: "join", room }, answersRoom("joined", room), timeoutMs);
    if (joined.type !== "joined") throw new Error(`join ${room} refused: ${JSON.stringify(joined)}`);
    this.socket = socket;
    this.used = 1;
    return socket;
  }

  private retire(): void {
    this.socket?.close();
    this.socket = undefined;
  }
}

/**
 * Opens a link to `seq` as a fresh tab does once its socket said hello: `join`, then on `joined`
 * `history {around: seq}`; timed from sending `join` to the `history` answer.
 */
export async function openLink(options: MeasureOptions, name: string, seq: number, into: Samples | undefined): Promise<void> {
  const { port, room, historyLimit, timeoutMs } = options;
  let socket: BenchSocket | undefined;
  try {
    socket = await BenchSocket.open(port, name, timeoutMs);
    const started = performance.now();
    const joined = await socket.request({ type: "join", room }, answersRoom("joined", room), timeoutMs);
    if (joined.type !== "joined") throw new Error(`join refused: ${JSON.stringify(joined).slice(0, 200)}`);
    const page = await socket.request({ type: "history", room, around: seq, limit: historyLimit }, answersRoom("history", room), timeoutMs);
    const ms = performance.now() - started;
    if (page.type !== "history") throw new Error(page.type === "error" ? `history around: ${page.code}: ${page.message}` : page.type);
    if (!into) return;
    into.ms.push(ms);
    into.hits.push(page.messages.length);
    into.pages.push(1);
    if (!page.messages.some((event) => event.seq === seq)) {
      into.wrong++;
      // An answer to `around` always says both ways; a page that does not is another kind of page.
      const why = page.hasNewer === undefined ? ": this server does not answer `history {around}` (no hasNewer)" : "";
      note(into.wrongSamples, `around ${seq}: the page (${page.messages.length} messages) does not hold it${why}`);
    }
  } catch (error) {
    if (into) {
      into.errors++;
      note(into.errorSamples, `around ${seq}: ${(error as Error).message}`);
    }
  } finally {
    socket?.close();
  }
}

/** Nearest-rank percentile of `values` (p in 0..100); NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[rank - 1] as number;
}
