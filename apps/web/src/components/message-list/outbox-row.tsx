import type { ChatClient, OutboxEntry } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { useComposerFocus } from "../../hooks/use-composer-focus";
import { useStrings } from "../../i18n/use-strings";
import { Avatar } from "../avatar";
import { MarkdownText } from "../markdown/markdown-text";
import { ReplyQuote } from "./reply-quote";

/**
 * The inside of one of the user's own chats not yet in the log: pending, sent (acked, echo to
 * come) or failed. A reply quotes its target from the log, as the server will.
 */
export function OutboxRow({
  entry,
  client,
  author,
  target,
}: {
  entry: OutboxEntry;
  client: ChatClient;
  author: string;
  /** The chat it replies to, when the log holds it. */
  target: ChatFrame | undefined;
}) {
  const t = useStrings();
  const { focusComposer } = useComposerFocus();
  // Failed for lack of an answer only: the client is checking the link and resends it by itself.
  const checking = entry.status === "failed" && entry.unanswered === true;
  const status = checking ? t.checkingConnection : entry.status === "failed" ? t.failed : entry.status === "sent" ? t.sent : t.pending;
  // Retry and Discard remove the button that had focus: the keyboard goes back to the composer.
  const settle = (action: (clientMsgId: string) => void) => () => {
    action(entry.clientMsgId);
    focusComposer();
  };
  return (
    <>
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
        {target && (
          <ReplyQuote
            quote={target.deleted ? { seq: target.seq, deleted: true } : { seq: target.seq, from: target.from, text: target.text ?? "" }}
          />
        )}
        <div className="message-text">
          <MarkdownText text={entry.text} />
        </div>
        {entry.status === "failed" && (
          <div className="outbox-actions">
            {entry.failure && !checking && (
              <span className="field-error">{entry.failureCode ? t.errorCode(entry.failureCode) : entry.failure}</span>
            )}
            <button type="button" className="small-button" onClick={settle((id) => client.retry(id))}>
              {t.retry}
            </button>
            <button type="button" className="small-button secondary" onClick={settle((id) => client.discard(id))}>
              {t.discard}
            </button>
          </div>
        )}
      </div>
    </>
  );
}
