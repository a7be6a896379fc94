import type { ChatClient, OutboxEntry } from "@chatroom/client";
import { useComposerFocus } from "../../hooks/use-composer-focus";
import { useStrings } from "../../i18n/use-strings";

/** An edit, delete or reaction the server refused: why, and Retry / Discard, as for a refused chat. */
export function RefusedChange({ entry, client }: { entry: OutboxEntry; client: ChatClient }) {
  const t = useStrings();
  const { focusComposer } = useComposerFocus();
  // Retry and Discard remove the button that had focus: the keyboard goes back to the composer.
  const settle = (action: (clientMsgId: string) => void) => () => {
    action(entry.clientMsgId);
    focusComposer();
  };
  const kind = entry.kind === "chat" ? "edit" : entry.kind;
  return (
    <div className="outbox-actions refused-change" data-testid="refused-change" data-kind={entry.kind}>
      <span className="field-error">
        {t.changeFailed(kind)} {entry.failureCode ? t.errorCode(entry.failureCode) : entry.failure}
      </span>
      <button type="button" className="small-button" onClick={settle((id) => client.retry(id))}>
        {t.retry}
      </button>
      <button type="button" className="small-button secondary" onClick={settle((id) => client.discard(id))}>
        {t.discard}
      </button>
    </div>
  );
}
