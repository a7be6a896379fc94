import type { ClientFrame, ErrorCode, SearchHit, ServerFrameOf } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";

/** What a `search` frame asks, without its `clientMsgId` (the request layer adds one per request). */
export type SearchParams = Omit<Extract<ClientFrame, { type: "search" }>, "type" | "clientMsgId">;
/** What the search box shows. */
export interface SearchView {
  /** The query as typed. */
  query: string;
  /** The room searched, or undefined for every room the user may read. */
  room: string | undefined;
  /** idle: nothing to search; typing: waiting for the debounce; searching: first page on its way; done; failed. */
  status: "idle" | "typing" | "searching" | "done" | "failed";
  /** Newest first, every page so far. */
  hits: readonly SearchHit[];
  /** The server has more (`next`). */
  more: boolean;
  loadingMore: boolean;
  /** Why the last request came to nothing: `bad_query` with the server's reason, `offline`, … */
  error: { code: ErrorCode | "offline"; message: string } | null;
}

export interface SearchOwnerOptions {
  timers: ConnectionTimers;
  /**
   * Sends one `search` with its own `clientMsgId` and settles with its `search-results`, or rejects
   * with a `RequestError` (the server's code, or `offline`: not connected, or the link went).
   */
  request: (params: SearchParams) => Promise<ServerFrameOf<"search-results">>;
  debounceMs: number;
  pageSize: number;
  /** How long to wait after `rate_limited` before asking again. */
  retryAfterMs: number;
}

/** The one request whose answer is wanted: the newest. `waiting`: not sent, until the link is back or the wait is over. */
interface Asked {
  id: number;
  cursor: string | undefined;
  waiting: boolean;
}

const IDLE: SearchView = { query: "", room: undefined, status: "idle", hits: [], more: false, loadingMore: false, error: null };

/**
 * Search as you type: each change of the query waits `debounceMs` of quiet (injected timers), then
 * one `search` goes out (the request layer gives each its own `clientMsgId` and settles it with the
 * answer that echoes it). Only the newest request's answer is taken: the answer or error of an
 * older one (a stale query, a page of a query since changed) is dropped, so a slow answer never
 * overwrites a newer one. `loadMore` asks for the next page with the last `next`. A request lost
 * with the link is asked again on the next `ready`; `rate_limited` waits and asks again.
 */
export class SearchOwner {
  private view: SearchView = IDLE;
  private asked: Asked | null = null;
  private requests = 0;
  private next: string | undefined;
  private timer: unknown = null;
  private readonly listeners = new Set<() => void>();

  constructor(private readonly options: SearchOwnerOptions) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): SearchView => this.view;

  /** The box changed: searched after `debounceMs` of quiet; an empty query clears the results. */
  setQuery(query: string, room: string | undefined): void {
    this.cancel();
    if (query.trim() === "") {
      this.update({ ...IDLE, query, room });
      return;
    }
    this.update({ ...IDLE, query, room, status: "typing" });
    this.timer = this.options.timers.setTimeout(() => this.search(), this.options.debounceMs);
  }

  /** Enter: search now, without waiting for the debounce (nothing new if the answer is in or on its way). */
  flush(): void {
    if (this.view.status === "typing") this.search();
  }

  /** The reader reached the end of the results: the next page, if there is one. */
  loadMore(): void {
    if (this.asked || this.view.status !== "done" || this.next === undefined) return;
    this.ask(this.next);
    this.update({ ...this.view, loadingMore: true });
  }

  /** Clears the box and drops whatever is on its way. */
  clear(): void {
    this.cancel();
    this.update(IDLE);
  }

  /** A new socket's `ready` arrived: a request lost with the old one (or never sent) goes again. */
  linkReady(): void {
    if (this.asked?.waiting) this.ask(this.asked.cursor);
  }

  dispose(): void {
    this.cancel();
    this.listeners.clear();
  }

  private search(): void {
    this.options.timers.clearTimeout(this.timer);
    this.timer = null;
    this.next = undefined;
    this.ask(undefined);
    this.update({ ...this.view, status: "searching", hits: [], more: false, error: null });
  }

  private ask(cursor: string | undefined): void {
    const { query, room } = this.view;
    const asked: Asked = { id: ++this.requests, cursor, waiting: false };
    this.asked = asked;
    const params: SearchParams = {
      query,
      limit: this.options.pageSize,
      ...(room !== undefined ? { room } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    };
    this.options.request(params).then(
      (answer) => this.answered(asked, answer),
      (error: unknown) => this.refused(asked, error),
    );
  }

  private answered(asked: Asked, answer: ServerFrameOf<"search-results">): void {
    // Stale: a newer query (or none) is what the box shows now.
    if (this.asked !== asked) return;
    this.asked = null;
    this.next = answer.next;
    const hits = asked.cursor === undefined ? answer.results : [...this.view.hits, ...answer.results];
    // A page short of `limit` that still has `next` is the server stopping at its read budget
    // (SQLite reads at most 10,000 rows a page), not the end: read on until the page is full, or an
    // empty first page would show "no results" while a room further back holds matches.
    if (answer.next !== undefined && answer.results.length < this.options.pageSize) {
      this.update({ ...this.view, hits, more: true, error: null });
      this.ask(answer.next);
      return;
    }
    this.update({ ...this.view, status: "done", hits, more: answer.next !== undefined, loadingMore: false, error: null });
  }

  private refused(asked: Asked, error: unknown): void {
    if (this.asked !== asked) return;
    const code = codeOf(error);
    if (code === "offline") {
      // Asked again once the link is back (`linkReady`).
      asked.waiting = true;
    } else if (code === "rate_limited") {
      asked.waiting = true;
      this.timer = this.options.timers.setTimeout(() => this.ask(asked.cursor), this.options.retryAfterMs);
    } else {
      this.asked = null;
      const message = error instanceof Error ? error.message : String(error);
      this.update({ ...this.view, status: "failed", loadingMore: false, error: { code, message } });
    }
  }

  private cancel(): void {
    this.options.timers.clearTimeout(this.timer);
    this.timer = null;
    this.asked = null;
    this.next = undefined;
  }

  private update(view: SearchView): void {
    this.view = view;
    for (const listener of this.listeners) listener();
  }
}

/**
 * The code a refused request carries (`RequestError`'s), read by shape: importing that class here
 * would make this lazy chunk share a module with the page's first script, and the bundler would
 * then split that script in two (docs/architecture.md, the page's initial JavaScript).
 */
function codeOf(error: unknown): ErrorCode | "offline" {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === "string" ? (code as ErrorCode | "offline") : "server_error";
}
