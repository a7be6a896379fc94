import type { ChatClient } from "@chatroom/client";
import { lazy, Suspense, useEffect, useRef, useState } from "react";
import { useStrings } from "../../i18n/use-strings";

// Results, filters and keyboard navigation: their own chunk, loaded when the box is first focused.
const SearchPanel = lazy(() => import("./search-panel").then((module) => ({ default: module.SearchPanel })));

/** Whether a key press lands in a field the user types in (`/` is text there, not a shortcut). */
function typingIn(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
}

/**
 * The header's search box: a plain field until it is first focused (a click, `/`, Ctrl+K), then
 * the search panel takes its place, with what was typed meanwhile.
 */
export function SearchBox({ client, room }: { client: ChatClient; room: string }) {
  const t = useStrings();
  const [active, setActive] = useState(false);
  const [draft, setDraft] = useState("");
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const ctrlK = event.key.toLowerCase() === "k" && (event.ctrlKey || event.metaKey) && !event.altKey;
      const slash = event.key === "/" && !event.ctrlKey && !event.metaKey && !event.altKey && !typingIn(event.target);
      if (!ctrlK && !slash) return;
      event.preventDefault();
      setActive(true);
      input.current?.focus();
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  const field = (
    <input
      ref={input}
      type="search"
      className="search-input"
      placeholder={t.searchPlaceholder}
      aria-label={t.searchLabel}
      data-testid="search-input"
      value={draft}
      onChange={(event) => setDraft(event.target.value)}
      onFocus={() => setActive(true)}
    />
  );
  return (
    <div className="search-box">
      {active ? (
        <Suspense fallback={field}>
          <SearchPanel client={client} room={room} initialQuery={draft} inputRef={input} />
        </Suspense>
      ) : (
        field
      )}
    </div>
  );
}
