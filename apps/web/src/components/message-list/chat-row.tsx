import type { ChatFrame } from "@chatroom/protocol";
import { memo } from "react";
import { Avatar } from "../avatar";
import { LinkifiedText } from "../linkified-text";
import { fullFormat, timeFormat } from "./formats";

/**
 * A stored chat; `grouped` under the previous one shows its time in the gutter instead of a header.
 * Memoized: a stored chat never changes, so a new frame re-renders only the rows that are new.
 */
export const ChatRow = memo(function ChatRow({ message, mine, grouped }: { message: ChatFrame; mine: boolean; grouped: boolean }) {
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
});
