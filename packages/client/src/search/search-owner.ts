import type { ClientFrame, ErrorCode, SearchHit } from "@chatroom/protocol";
import type { IncomingFrame } from "../room/frame-router";
import type { ConnectionTimers } from "../transport/connection";

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
  /** Hands a frame to the socket; false when it cannot go now (the search waits for `linkReady`). */
  send: (frame: ClientFrame) => boolean;
  debounceMs: number;
  pageSize: number;
  /** When a `rate_limited` answer names no `retryAfterMs`. */
  retryAfterFallbackMs: number;
  newId: () => string;
}

/** The one request whose answer is wanted: the newest. */
interface Asked {
  id: string;
  cursor: string | undefined;
}

const IDLE: SearchView = { query: "", room: undefined, status: "idle", hits: [], more: false, loadingMore: false, error: null };

/** How many of our old request ids are remembered, so their late answers are recognised and dropped. */
const REMEMBERED_IDS = 50;

/**
 * Search as you type: each change of the query waits `debounceMs` of quiet (injected timers), then
 * one `search` goes out with a fresh `clientMsgId`. Only the newest request's answer is taken: an
 * answer or error for an older id (a stale query, a page of a query since changed) is dropped, so a
 * slow answer never overwrites a newer one. `more` asks for the next page with the last `next`.
 * A request lost with the link is asked again on the next `ready`; `rate_limited` waits and asks again.
 */
export class SearchOwner {
  private view: SearchView = IDLE;
  private asked: Asked | null = null;
  private next: string | undefined;
  private readonly ours: string[] = [];
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

  /** Reads a frame before the rooms do. Returns true when it answered one of our searches (stale ones included). */
  receive(frame: IncomingFrame): boolean {
    if (frame.type !== "search-results" && frame.type !== "error") return false;
    const id = frame.clientMsgId;
    if (id === undefined || !this.ours.includes(id)) return false;
    if (this.asked?.id !== id) return true;
    const cursor = this.asked.cursor;
    this.asked = null;
    if (frame.type === "search-results") {
      this.next = frame.next;
      const hits = cursor === undefined ? frame.results : [...this.view.hits, ...frame.results];
      this.update({ ...this.view, status: "done", hits, more: frame.next !== undefined, loadingMore: false, error: null });
    } else if (frame.code === "rate_limited") {
      // Still ours to ask: nothing else goes out meanwhile.
      this.asked = { id: "waiting", cursor };
      this.timer = this.options.timers.setTimeout(() => this.ask(cursor), frame.retryAfterMs ?? this.options.retryAfterFallbackMs);
    } else {
      this.update({ ...this.view, status: "failed", loadingMore: false, error: { code: frame.code, message: frame.message } });
    }
    return true;
  }

  /** The socket went: the answer in flight will not come. It is asked again on the next `ready`. */
  linkLost(): void {
    if (this.asked) this.asked = { ...this.asked, id: "" };
  }

  /** A new socket's `ready` arrived: a request lost with the old one goes again. */
  linkReady(): void {
    if (this.asked?.id === "") this.ask(this.asked.cursor);
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
    const id = this.options.newId();
    this.remember(id);
    const frame: ClientFrame = {
      type: "search",
      clientMsgId: id,
      query,
      limit: this.options.pageSize,
      ...(room !== undefined ? { room } : {}),
      ...(cursor !== undefined ? { cursor } : {}),
    };
    // Not sent (offline): kept with no id, so `linkReady` sends it.
    this.asked = { id: this.options.send(frame) ? id : "", cursor };
  }

  private cancel(): void {
    this.options.timers.clearTimeout(this.timer);
    this.timer = null;
    this.asked = null;
    this.next = undefined;
  }

  private remember(id: string): void {
    this.ours.push(id);
    if (this.ours.length > REMEMBERED_IDS) this.ours.shift();
  }

  private update(view: SearchView): void {
    this.view = view;
    for (const listener of this.listeners) listener();
  }
}
