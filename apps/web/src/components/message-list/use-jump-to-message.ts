import type { ChatClient } from "@chatroom/client";
import { type RefObject, useCallback, useEffect, useRef, useState } from "react";
import type { VirtuosoHandle } from "react-virtuoso";
import type { ListRow } from "./list-rows";

/** The index of the row of the chat at `seq`, or -1. */
export function rowIndexOf(rows: readonly ListRow[], seq: number): number {
  return rows.findIndex((row) => row.kind === "chat" && row.message.seq === seq);
}

/**
 * Bringing a chat into view from a reply's quote: at once when the log holds it, else after
 * `client.reveal` pages older history in (the row is scrolled to when it appears). The chat shown
 * is highlighted until the next jump; `onMissing` says when the history holds it no more.
 */
export function useJumpToMessage({
  virtuoso,
  rows,
  client,
  onMissing,
  initial = null,
}: {
  virtuoso: RefObject<VirtuosoHandle | null>;
  rows: readonly ListRow[];
  client: ChatClient;
  onMissing: () => void;
  /** Highlighted from the start: the message a link opened the list at. */
  initial?: number | null;
}): { jumpTo: (seq: number) => void; highlighted: number | null } {
  const [waitingFor, setWaitingFor] = useState<number | null>(null);
  const [highlighted, setHighlighted] = useState<number | null>(initial);
  const latestRows = useRef(rows);
  latestRows.current = rows;
  const missing = useRef(onMissing);
  missing.current = onMissing;

  const show = useCallback(
    (seq: number) => {
      const index = rowIndexOf(latestRows.current, seq);
      if (index < 0) return false;
      virtuoso.current?.scrollToIndex({ index, align: "center" });
      setHighlighted(seq);
      return true;
    },
    [virtuoso],
  );

  const jumpTo = useCallback(
    (seq: number) => {
      if (show(seq)) return;
      setWaitingFor(seq);
      void client.reveal(seq).then((held) => {
        if (held) return;
        setWaitingFor((current) => (current === seq ? null : current));
        missing.current();
      });
    },
    [client, show],
  );

  // The revealed chat came into the log: show it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: rows is the trigger; show reads the latest rows
  useEffect(() => {
    if (waitingFor !== null && show(waitingFor)) setWaitingFor(null);
  }, [rows, waitingFor, show]);

  return { jumpTo, highlighted };
}
