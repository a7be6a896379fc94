import type { ChatClient, ChatSnapshot, EventEntry, LogItem, OutboxEntry } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { type ReactNode, useLayoutEffect, useRef, useState } from "react";
import type { Strings } from "../i18n/strings";
import { useStrings } from "../i18n/use-strings";
import { Avatar } from "./avatar";
import { LinkifiedText } from "./linkified-text";

/** Within this distance of the bottom, the reader counts as "at the bottom" and follows new messages. */
const BOTTOM_SLACK_PX = 48;
/** Items rendered at once. Older ones stay in memory and come into the DOM page by page as the reader scrolls up. */
const RENDER_PAGE = 200;
/** Consecutive messages from one author within this long share one header. */
const GROUP_WINDOW_MS = 5 * 60_000;

export function MessageList({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  // The first rendered item while the reader is scrolled up, so the window does not slide under them;
  // `null` while following the bottom, where only the newest RENDER_PAGE items are in the DOM.
  const [anchorKey, setAnchorKey] = useState<string | null>(null);
  const [wantOlder, setWantOlder] = useState(false);
  // Incoming chats counted while the reader is scrolled up; `null` while following the bottom.
  const [unseenFrom, setUnseenFrom] = useState<number | null>(null);
  const previousLayout = useRef<{ firstKey: string | undefined; height: number }>({ firstKey: undefined, height: 0 });
  const outboxCount = chat.outbox.length;

  const items = chat.items;
  const anchored = anchorKey === null ? -1 : lastIndexOfKey(items, anchorKey);
  const start = anchored >= 0 ? anchored : Math.max(0, items.length - RENDER_PAGE);
  const visible = start === 0 ? items : items.slice(start);
  const firstKey = visible[0]?.key;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const previous = previousLayout.current;
    if (atBottom.current) element.scrollTop = element.scrollHeight;
    else if (previous.firstKey !== undefined && firstKey !== previous.firstKey) {
      // Items came in above the reader: keep what they were looking at in place.
      element.scrollTop += element.scrollHeight - previous.height;
    }
    previousLayout.current = { firstKey, height: element.scrollHeight };
  });

  // An older page arrived from the server: bring it into the DOM.
  useLayoutEffect(() => {
    if (!wantOlder || chat.loadingOlder) return;
    setWantOlder(false);
    if (start > 0) setAnchorKey(items[Math.max(0, start - RENDER_PAGE)]?.key ?? null);
  }, [wantOlder, chat.loadingOlder, start, items]);

  // Sending is a request to see the bottom, wherever the reader was.
  const previousOutbox = useRef(outboxCount);
  useLayoutEffect(() => {
    if (outboxCount > previousOutbox.current) jumpToBottom();
    previousOutbox.current = outboxCount;
  });

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    const wasAtBottom = atBottom.current;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < BOTTOM_SLACK_PX;
    if (atBottom.current) {
      setUnseenFrom(null);
      setAnchorKey(null);
    } else if (wasAtBottom) {
      setUnseenFrom(chat.incomingCount);
      setAnchorKey(firstKey ?? null);
    }
    if (element.scrollTop < 80) showOlder();
  };

  const showOlder = () => {
    if (start > 0) {
      atBottom.current = false;
      setAnchorKey(items[Math.max(0, start - RENDER_PAGE)]?.key ?? null);
    } else if (chat.historyEdge === "more" && !chat.loadingOlder && chat.me) {
      atBottom.current = false;
      setAnchorKey(firstKey ?? null);
      setWantOlder(true);
      client.loadOlder();
    }
  };

  function jumpToBottom() {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setUnseenFrom(null);
    setAnchorKey(null);
  }

  const unseen = unseenFrom === null ? 0 : chat.incomingCount - unseenFrom;
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
          <div className="history-edge">
            {chat.loadingOlder ? (
              <span className="muted">{t.loadingOlder}</span>
            ) : start > 0 || chat.historyEdge === "more" ? (
              <button type="button" className="link-button" onClick={showOlder} data-testid="load-older">
                {t.loadOlder}
              </button>
            ) : (
              <span className="edge-marker" data-testid="history-edge" data-edge={chat.historyEdge}>
                {chat.historyEdge === "start" ? t.startOfHistory : chat.historyEdge === "cleared" ? t.clearedAbove : t.olderUnavailable}
              </span>
            )}
          </div>
        )}
        {!empty && (
          <ol className="items">
            {renderItems(visible, chat, t)}
            {chat.outbox.map((entry) => (
              <OutboxLine key={entry.clientMsgId} entry={entry} client={client} author={chat.me?.name ?? ""} />
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

function lastIndexOfKey(items: readonly LogItem[], key: string): number {
  for (let i = items.length - 1; i >= 0; i--) if ((items[i] as LogItem).key === key) return i;
  return -1;
}

/** Lays the items out with day separators and author groups; events break a group but not a day. */
function renderItems(items: readonly LogItem[], chat: ChatSnapshot, t: Strings): ReactNode[] {
  const nodes: ReactNode[] = [];
  let previousChat: ChatFrame | undefined;
  let lastDay: string | undefined;
  for (const item of items) {
    if (item.type === "event") {
      previousChat = undefined;
      nodes.push(<EventLine key={item.key} entry={item.entry} t={t} />);
      continue;
    }
    const message = item.message;
    const day = new Date(message.ts).toDateString();
    if (day !== lastDay) {
      lastDay = day;
      previousChat = undefined;
      nodes.push(
        <li key={`d-${day}`} className="day-separator">
          <span>{dayFormat.format(message.ts)}</span>
        </li>,
      );
    }
    const grouped =
      previousChat !== undefined && previousChat.from.id === message.from.id && message.ts - previousChat.ts < GROUP_WINDOW_MS;
    previousChat = message;
    nodes.push(<ChatLine key={item.key} message={message} mine={message.from.id === chat.me?.id} grouped={grouped} />);
  }
  return nodes;
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric", year: "numeric" });

function ChatLine({ message, mine, grouped }: { message: ChatFrame; mine: boolean; grouped: boolean }) {
  const time = (
    <time dateTime={new Date(message.ts).toISOString()} title={fullFormat.format(message.ts)}>
      {timeFormat.format(message.ts)}
    </time>
  );
  return (
    <li
      className={`message${mine ? " mine" : ""}${grouped ? " grouped" : ""}`}
      data-testid="chat-message"
      data-seq={message.seq}
      data-from={message.from.name}
      data-mine={mine ? "true" : undefined}
    >
      <div className="gutter">{grouped ? <span className="gutter-time">{time}</span> : <Avatar name={message.from.name} />}</div>
      <div className="message-body">
        {!grouped && (
          <div className="message-meta">
            <span className="author">{message.from.name}</span>
            {time}
          </div>
        )}
        <div className="message-text">
          <LinkifiedText text={message.text} />
        </div>
      </div>
    </li>
  );
}

function OutboxLine({ entry, client, author }: { entry: OutboxEntry; client: ChatClient; author: string }) {
  const t = useStrings();
  // Failed for lack of an answer only: the client is checking the link and resends it by itself.
  const checking = entry.status === "failed" && entry.unanswered === true;
  const status = checking ? t.checkingConnection : entry.status === "failed" ? t.failed : entry.status === "sent" ? t.sent : t.pending;
  return (
    <li className={`message mine outbox ${entry.status}`} data-testid="outbox-message" data-status={entry.status}>
      <div className="gutter">
        <Avatar name={author} />
      </div>
      <div className="message-body">
        <div className="message-meta">
          <span className="author">{author}</span>
          <span className="delivery">
            {(entry.status === "pending" || checking) && <span className="spinner" aria-hidden="true" />}
            {status}
          </span>
        </div>
        <div className="message-text">
          <LinkifiedText text={entry.text} />
        </div>
        {entry.status === "failed" && (
          <div className="outbox-actions">
            {entry.failure && !checking && (
              <span className="field-error">{entry.failureCode ? t.errorCode(entry.failureCode) : entry.failure}</span>
            )}
            <button
              type="button"
              className="small-button"
              onClick={() => {
                client.retry(entry.clientMsgId);
                focusComposer();
              }}
            >
              {t.retry}
            </button>
            <button
              type="button"
              className="small-button secondary"
              onClick={() => {
                client.discard(entry.clientMsgId);
                focusComposer();
              }}
            >
              {t.discard}
            </button>
          </div>
        )}
      </div>
    </li>
  );
}

/** Retry and Discard remove the button that had focus: the keyboard goes back to the composer. */
function focusComposer(): void {
  document.getElementById("composer-input")?.focus();
}

function EventLine({ entry, t }: { entry: EventEntry; t: Strings }) {
  const { event } = entry;
  let text: string;
  switch (event.kind) {
    case "joined":
      text = t.joined(event.user.name);
      break;
    case "left":
      text = t.left(event.user.name);
      break;
    case "renamed":
      text = t.renamed(event.previousName, event.user.name);
      break;
    case "notice":
      text = event.text;
      break;
    case "connected":
      text = t.connectionOpened;
      break;
    case "disconnected":
      text = t.connectionClosed;
      break;
  }
  return (
    <li className={`event event-${event.kind}`} data-testid="event-line" data-kind={event.kind}>
      <span>{text}</span>
    </li>
  );
}
