import type { ChatClient, SearchOwner, SearchView } from "@chatroom/client";
import type { SearchHit } from "@chatroom/protocol";
import { type RefObject, useEffect, useId, useLayoutEffect, useRef, useState, useSyncExternalStore } from "react";
import { useSearchStrings } from "../../i18n/use-search-strings";
import { useStrings } from "../../i18n/use-strings";
import { navigateToMessage } from "../../message-link";
import { fullFormat } from "../message-list/formats";
import { snippetParts } from "./snippet-parts";

const NOTHING: SearchView = { query: "", room: undefined, status: "idle", hits: [], more: false, loadingMore: false, error: null };
const noSubscription = () => () => {};
/** How close to the end of the results the next page is asked for. */
const MORE_WITHIN_PX = 48;

function useSearchView(owner: SearchOwner | null): SearchView {
  return useSyncExternalStore(owner?.subscribe ?? noSubscription, owner?.getSnapshot ?? (() => NOTHING));
}

/**
 * The search box as an ARIA combobox with its results as a listbox: results as you type (the
 * client's SearchOwner debounces and drops stale answers), scope this room / all my rooms, the
 * filter syntax as a hint, ↑ ↓ Enter Escape, more results on scroll. Opening a result goes
 * through the same path as following a link to the message.
 */
export function SearchPanel({
  client,
  room,
  initialQuery,
  inputRef,
}: {
  client: ChatClient;
  room: string;
  initialQuery: string;
  inputRef: RefObject<HTMLInputElement | null>;
}) {
  const t = useStrings();
  const s = useSearchStrings();
  const id = useId();
  const [owner, setOwner] = useState<SearchOwner | null>(null);
  const view = useSearchView(owner);
  const [query, setQuery] = useState(initialQuery);
  const [allRooms, setAllRooms] = useState(true);
  const [open, setOpen] = useState(initialQuery.trim() !== "");
  const [active, setActive] = useState(-1);
  const list = useRef<HTMLDivElement>(null);
  const panel = useRef<HTMLElement>(null);

  useEffect(() => {
    let live = true;
    void client.loadSearch().then((loaded) => {
      if (live) setOwner(loaded);
    });
    return () => {
      live = false;
    };
  }, [client]);

  // The panel takes the place of the plain field that had the focus. In the commit itself (a layout
  // effect, not a passive one that may run a task later): a key pressed between the swap and the
  // focus would otherwise land on the page body and be lost.
  useLayoutEffect(() => {
    const input = inputRef.current;
    input?.focus();
    input?.setSelectionRange(input.value.length, input.value.length);
  }, [inputRef]);

  const scopeRoom = allRooms ? undefined : room;
  // A new query or scope goes to the owner (debounced there); the first result is not preselected.
  useEffect(() => {
    owner?.setQuery(query, scopeRoom);
    setActive(-1);
  }, [owner, query, scopeRoom]);

  const hits = view.hits;
  useEffect(() => {
    if (active >= 0) document.getElementById(`${id}-hit-${active}`)?.scrollIntoView({ block: "nearest" });
    if (active >= hits.length - 1 && hits.length > 0) owner?.loadMore();
  }, [active, hits.length, id, owner]);

  const openHit = (hit: SearchHit) => {
    setOpen(false);
    navigateToMessage(hit.room, hit.seq);
  };

  const onKeyDown = (event: React.KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, hits.length - 1));
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, -1));
    } else if (event.key === "Enter") {
      event.preventDefault();
      const hit = hits[active];
      if (open && hit) openHit(hit);
      else {
        setOpen(true);
        owner?.flush();
      }
    } else if (event.key === "Escape") {
      if (open) setOpen(false);
      else setQuery("");
    }
  };

  const status = statusText(view, s, owner !== null);
  const listId = `${id}-results`;
  return (
    <search
      ref={panel}
      className="search-panel"
      onBlur={(event) => {
        if (!panel.current?.contains(event.relatedTarget as Node | null)) setOpen(false);
      }}
    >
      <input
        ref={inputRef}
        type="search"
        className="search-input"
        role="combobox"
        aria-label={t.searchLabel}
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-describedby={`${id}-hint`}
        aria-activedescendant={open && active >= 0 ? `${id}-hit-${active}` : undefined}
        placeholder={t.searchPlaceholder}
        data-testid="search-input"
        value={query}
        onChange={(event) => {
          setQuery(event.target.value);
          setOpen(true);
        }}
        onFocus={() => setOpen(query.trim() !== "")}
        onKeyDown={onKeyDown}
      />
      <div className="search-popup" hidden={!open}>
        <fieldset className="search-scope">
          <legend className="visually-hidden">{s.scope}</legend>
          <label>
            <input
              type="radio"
              name={`${id}-scope`}
              checked={!allRooms}
              onChange={() => setAllRooms(false)}
              data-testid="search-scope-room"
            />
            {s.thisRoom(room)}
          </label>
          <label>
            <input type="radio" name={`${id}-scope`} checked={allRooms} onChange={() => setAllRooms(true)} data-testid="search-scope-all" />
            {s.allRooms}
          </label>
        </fieldset>
        <p id={`${id}-hint`} className="search-hint">
          {s.hint}
        </p>
        <p className={`search-status${view.status === "failed" ? " search-error" : ""}`} role="status" data-testid="search-status">
          {status}
        </p>
        <div
          ref={list}
          id={listId}
          role="listbox"
          aria-label={s.results}
          className="search-results"
          onScroll={(event) => {
            const element = event.currentTarget;
            if (element.scrollTop + element.clientHeight >= element.scrollHeight - MORE_WITHIN_PX) owner?.loadMore();
          }}
        >
          {hits.map((hit, index) => {
            const time = fullFormat.format(hit.ts);
            return (
              // biome-ignore lint/a11y/useKeyWithClickEvents: the combobox's input handles the keys (aria-activedescendant)
              <div
                key={`${hit.room} ${hit.seq}`}
                id={`${id}-hit-${index}`}
                role="option"
                tabIndex={-1}
                aria-selected={index === active}
                aria-label={`${s.openHit(hit.from.name, hit.room, time)}: ${hit.snippet}`}
                className={`search-hit${index === active ? " active" : ""}`}
                data-testid="search-result"
                data-room={hit.room}
                data-seq={hit.seq}
                // Keeps the focus in the box, so the list stays open until the click lands.
                onMouseDown={(event) => event.preventDefault()}
                onClick={() => openHit(hit)}
              >
                <span className="search-hit-meta">
                  <span className="search-hit-author">{hit.from.name}</span>
                  <span className="search-hit-room">#{hit.room}</span>
                  <time dateTime={new Date(hit.ts).toISOString()}>{time}</time>
                </span>
                <span className="search-hit-snippet">
                  {snippetParts(hit.snippet, hit.highlights).map((part, partIndex) =>
                    part.match ? (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one snippet never move
                      <mark key={partIndex}>{part.text}</mark>
                    ) : (
                      // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one snippet never move
                      <span key={partIndex}>{part.text}</span>
                    ),
                  )}
                </span>
              </div>
            );
          })}
        </div>
        {view.loadingMore && <p className="search-status">{s.loadingMore}</p>}
      </div>
    </search>
  );
}

function statusText(view: SearchView, s: ReturnType<typeof useSearchStrings>, loaded: boolean): string {
  if (!loaded) return view.query.trim() ? s.searching : "";
  switch (view.status) {
    case "idle":
      return "";
    case "typing":
    case "searching":
      return s.searching;
    case "failed":
      return view.error?.code === "offline" ? s.offline : s.failed(view.error?.message ?? "");
    case "done":
      return view.hits.length === 0 ? s.noResults : s.count(view.hits.length, view.more);
  }
}
