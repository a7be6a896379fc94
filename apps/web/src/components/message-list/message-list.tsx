import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import { useMemo, useRef } from "react";
import { useStrings } from "../../i18n/use-strings";
import { UI_TUNABLES } from "../../ui-tunables";
import { ChatRow } from "./chat-row";
import { DaySeparatorRow } from "./day-separator-row";
import { EventRow } from "./event-row";
import { groupRows, type LogRow } from "./group-rows";
import { HistoryEdge } from "./history-edge";
import { OutboxRow } from "./outbox-row";
import { UnreadDividerRow } from "./unread-divider-row";
import { useMarkRead } from "./use-mark-read";
import { useRenderWindow } from "./use-render-window";
import { useRevealDivider } from "./use-reveal-divider";
import { useScrollAnchor } from "./use-scroll-anchor";
import { useUnreadDivider } from "./use-unread-divider";

/**
 * The active room's log: the rendered window of stored chats and events, then the user's unsent
 * messages. The app mounts one per room (keyed by it), so opening a room starts at its bottom.
 */
export function MessageList({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const scroller = useRef<HTMLDivElement>(null);
  const renderWindow = useRenderWindow({
    items: chat.items,
    loadingOlder: chat.loadingOlder,
    canLoadOlder: chat.historyEdge === "more" && !chat.loadingOlder && chat.me !== null,
    loadOlder: () => client.loadOlder(),
  });
  const { onScroll, showOlder, jumpToBottom, unseen, atBottom, isAtBottom, showAtTop } = useScrollAnchor({
    scroller,
    renderWindow,
    incomingCount: chat.incomingCount,
    outboxCount: chat.outbox.length,
  });
  const unreadDivider = useUnreadDivider(chat);
  const rows = useMemo(
    () => groupRows(renderWindow.visible, UI_TUNABLES.groupWindowMs, unreadDivider),
    [renderWindow.visible, unreadDivider],
  );
  useRevealDivider({ scroller, hasDivider: unreadDivider !== null && rows.some((row) => row.kind === "unread"), showAtTop });
  useMarkRead({ client, atBottom, isAtBottom, newestKey: renderWindow.visible.at(-1)?.key });
  const empty = chat.items.length === 0 && chat.outbox.length === 0;

  return (
    <div className="log-wrapper">
      <div
        className="log"
        ref={scroller}
        onScroll={onScroll}
        data-testid="message-log"
        role="log"
        // The announcer below speaks new messages once; the log itself stays quiet.
        aria-live="off"
        // Focusable, so keyboard users can scroll it.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        tabIndex={0}
        aria-label={t.logLabel}
      >
        {chat.me && (
          <HistoryEdge
            edge={chat.historyEdge}
            loadingOlder={chat.loadingOlder}
            hasHiddenOlder={renderWindow.hasHiddenOlder}
            onShowOlder={showOlder}
          />
        )}
        {!empty && (
          <ol className="items">
            {rows.map((row) => renderRow(row, chat.me?.id))}
            {chat.outbox.map((entry) => (
              <OutboxRow key={entry.clientMsgId} entry={entry} client={client} author={chat.me?.name ?? ""} />
            ))}
          </ol>
        )}
      </div>
      {unseen > 0 && (
        <button type="button" className="new-messages" onClick={jumpToBottom} data-testid="new-messages">
          {t.newMessages(unseen)}
        </button>
      )}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {chat.lastIncoming ? t.announceMessage(chat.lastIncoming.from.name, chat.lastIncoming.text) : ""}
      </div>
    </div>
  );
}

/** One component per row kind; each is memoized, so only new or regrouped rows render again. */
function renderRow(row: LogRow, myId: string | undefined) {
  switch (row.kind) {
    case "day":
      return <DaySeparatorRow key={row.key} ts={row.ts} />;
    case "unread":
      return <UnreadDividerRow key={row.key} />;
    case "event":
      return <EventRow key={row.key} entry={row.entry} />;
    case "chat":
      return <ChatRow key={row.key} message={row.message} mine={row.message.from.id === myId} grouped={row.grouped} />;
  }
}
