import { CLIENT_DEFAULTS } from "../options";
import type { ConnectionTimers } from "../transport/connection";
import type { SearchOwner, SearchOwnerOptions } from "./search-owner";

export interface SearchLoaderOptions {
  timers: ConnectionTimers;
  request: SearchOwnerOptions["request"];
}

/**
 * The search box's owner, loaded on first use: `search-owner.ts` is only ever imported
 * dynamically, so a page that never searches does not carry it.
 */
export class SearchLoader {
  private owner: SearchOwner | null = null;
  private loading: Promise<SearchOwner> | null = null;

  constructor(private readonly options: SearchLoaderOptions) {}

  load(): Promise<SearchOwner> {
    this.loading ??= import("./search-owner").then(({ SearchOwner }) => {
      this.owner = new SearchOwner({
        timers: this.options.timers,
        request: this.options.request,
        debounceMs: CLIENT_DEFAULTS.searchDebounceMs,
        pageSize: CLIENT_DEFAULTS.searchPage,
        retryAfterMs: CLIENT_DEFAULTS.retryAfterFallbackMs,
      });
      return this.owner;
    });
    return this.loading;
  }

  /** A new socket's `ready`: a search lost with the old socket asks again (none before the owner is loaded). */
  linkReady(): void {
    this.owner?.linkReady();
  }
}
