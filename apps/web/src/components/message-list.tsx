import type { ChatFrame } from "@chatroom/protocol";
import { useEffect, useLayoutEffect, useRef, useState } from "react";
import type { ChatClient, ChatSnapshot } from "../client/chat-client";
import type { EventEntry } from "../client/message-log";
import type { OutboxEntry } from "../client/outbox";
import { useStrings } from "../i18n/use-strings";
import { LinkifiedText } from "./linkified-text";

/** Within this distance of the bottom, the reader counts as "at the bottom" and follows new messages. */
const BOTTOM_SLACK_PX = 48;
/** Older messages than this stay in memory but out of the DOM, so 5,000 messages stay smooth. */
const MAX_RENDERED = 300;

export function MessageList({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const scroller = useRef<HTMLDivElement>(null);
  const atBottom = useRef(true);
  const restoreFrom = useRef<{ height: number; top: number; firstKey: string | undefined } | null>(null);
  const [unseen, setUnseen] = useState(0);
  const [renderCount, setRenderCount] = useState(MAX_RENDERED);
  const lastSeenKey = useRef<string | undefined>(undefined);

  const visible = chat.items.slice(-renderCount);
  const hiddenInMemory = chat.items.length - visible.length;
  const newestKey = chat.items[chat.items.length - 1]?.key;

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    if (restoreFrom.current && restoreFrom.current.firstKey !== visible[0]?.key) {
      // Older messages were added above: keep the reader's place.
      element.scrollTop = element.scrollHeight - restoreFrom.current.height + restoreFrom.current.top;
      restoreFrom.current = null;
    } else if (restoreFrom.current) {
      // The "loading" render comes before the page does; wait for it unless nothing is coming.
      if (!chat.loadingOlder) restoreFrom.current = null;
    } else if (atBottom.current) {
      element.scrollTop = element.scrollHeight;
    }
  });

  useEffect(() => {
    if (newestKey === lastSeenKey.current) return;
    const previous = lastSeenKey.current;
    lastSeenKey.current = newestKey;
    if (previous !== undefined && !atBottom.current) setUnseen((count) => count + 1);
  }, [newestKey]);

  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    atBottom.current = element.scrollHeight - element.scrollTop - element.clientHeight < BOTTOM_SLACK_PX;
    if (atBottom.current) {
      setUnseen(0);
      if (renderCount > MAX_RENDERED) setRenderCount(MAX_RENDERED);
    }
    if (element.scrollTop < 40) showOlder();
  };

  const showOlder = () => {
    const element = scroller.current;
    if (element) restoreFrom.current = { height: element.scrollHeight, top: element.scrollTop, firstKey: visible[0]?.key };
    if (hiddenInMemory > 0) setRenderCount((count) => count + MAX_RENDERED);
    else client.loadOlder();
  };

  const jumpToBottom = () => {
    const element = scroller.current;
    if (element) element.scrollTop = element.scrollHeight;
    atBottom.current = true;
    setUnseen(0);
  };

  let previousChat: ChatFrame | undefined;
  return (
    <div className="log-wrapper">
      <div className="log" ref={scroller} onScroll={onScroll} data-testid="message-log" role="log" aria-label={t.logLabel}>
        <div className="history-edge">
          {chat.loadingOlder ? (
            <span>{t.loadingOlder}</span>
          ) : hiddenInMemory > 0 || chat.historyEdge === "more" ? (
            <button type="button" className="link-button" onClick={showOlder}>
              {t.loadOlder}
            </button>
          ) : (
            <span data-testid="history-edge">{chat.historyEdge === "start" ? t.startOfHistory : t.olderUnavailable}</span>
          )}
        </div>
        <ol className="items">
          {visible.map((item) => {
            if (item.type === "event") {
              previousChat = undefined;
              return <EventLine key={item.key} entry={item.entry} />;
            }
            const message = item.message;
            const grouped =
              previousChat !== undefined && previousChat.from.id === message.from.id && message.ts - previousChat.ts < 5 * 60_000;
            const newDay = previousChat === undefined || !sameDay(previousChat.ts, message.ts);
            previousChat = message;
            return (
              <ChatLine
                key={item.key}
                message={message}
                mine={message.from.id === chat.me?.id}
                grouped={grouped && !newDay}
                showDay={newDay}
              />
            );
          })}
          {chat.outbox.map((entry) => (
            <OutboxLine key={entry.clientMsgId} entry={entry} client={client} author={chat.me?.name ?? ""} />
          ))}
        </ol>
      </div>
      {unseen > 0 && (
        <button type="button" className="new-messages" onClick={jumpToBottom}>
          {t.newMessages(unseen)}
        </button>
      )}
      <div className="visually-hidden" aria-live="polite" aria-atomic="true">
        {chat.lastIncoming ? `${chat.lastIncoming.from.name}: ${chat.lastIncoming.text}` : ""}
      </div>
    </div>
  );
}

function sameDay(a: number, b: number): boolean {
  return new Date(a).toDateString() === new Date(b).toDateString();
}

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });

function ChatLine({ message, mine, grouped, showDay }: { message: ChatFrame; mine: boolean; grouped: boolean; showDay: boolean }) {
  return (
    <>
      {showDay && (
        <li className="day-separator">
          <span>{dayFormat.format(message.ts)}</span>
        </li>
      )}
      <li
        className={`message ${mine ? "mine" : ""} ${grouped ? "grouped" : ""}`}
        data-testid="chat-message"
        data-seq={message.seq}
        data-from={message.from.name}
      >
        {!grouped && (
          <div className="message-meta">
            <span className="author">{message.from.name}</span>
            <time dateTime={new Date(message.ts).toISOString()} title={fullFormat.format(message.ts)}>
              {timeFormat.format(message.ts)}
            </time>
          </div>
        )}
        <div className="message-text">
          <LinkifiedText text={message.text} />
        </div>
      </li>
    </>
  );
}

function OutboxLine({ entry, client, author }: { entry: OutboxEntry; client: ChatClient; author: string }) {
  const t = useStrings();
  return (
    <li className={`message mine outbox ${entry.status}`} data-testid="outbox-message" data-status={entry.status}>
      <div className="message-meta">
        <span className="author">{author}</span>
        <span className="delivery">{entry.status === "failed" ? t.failed : entry.status === "sent" ? t.sent : t.pending}</span>
      </div>
      <div className="message-text">
        <LinkifiedText text={entry.text} />
      </div>
      {entry.status === "failed" && (
        <div className="outbox-actions">
          {entry.failure && <span className="field-error">{entry.failure}</span>}
          <button type="button" className="link-button" onClick={() => client.retry(entry.clientMsgId)}>
            {t.retry}
          </button>
          <button type="button" className="link-button" onClick={() => client.discard(entry.clientMsgId)}>
            {t.discard}
          </button>
        </div>
      )}
    </li>
  );
}

function EventLine({ entry }: { entry: EventEntry }) {
  const t = useStrings();
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
    <li className={`event event-${event.kind}`} data-testid="event-line">
      {text}
    </li>
  );
}
