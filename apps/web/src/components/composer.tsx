import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import { codePointLength } from "@chatroom/protocol";
import { type KeyboardEvent, useState } from "react";
import { useComposerFocus } from "../hooks/use-composer-focus";
import { useStrings } from "../i18n/use-strings";
import { UI_TUNABLES } from "../ui-tunables";

export function Composer({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const [text, setText] = useState("");
  const { inputRef, focusComposer } = useComposerFocus();
  const max = chat.limits.maxTextLength;
  // Counted as the server counts: code points, so an emoji is one character, not two.
  const length = codePointLength(text.trim());
  const showCounter = length >= max * UI_TUNABLES.counterFrom;

  const send = () => {
    if (client.send(text)) setText("");
    // Send disables itself once the box is empty: keep the keyboard in the box, not on <body>.
    focusComposer();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      send();
    }
  };

  return (
    <form
      className="composer"
      onSubmit={(event) => {
        event.preventDefault();
        send();
      }}
    >
      <label htmlFor="composer-input" className="visually-hidden">
        {t.composerLabel}
      </label>
      <div className="composer-field">
        {/* No maxLength: it counts UTF-16 units and would cut a pasted text silently; the limit is checked on send, in code points, and said. */}
        {/* The id is for the label (and the e2e specs); other components focus the box through useComposerFocus. */}
        <textarea
          id="composer-input"
          ref={inputRef}
          value={text}
          rows={2}
          placeholder={t.composerPlaceholder}
          aria-describedby={showCounter ? "composer-count" : undefined}
          aria-invalid={length > max ? true : undefined}
          onChange={(event) => {
            setText(event.target.value);
            if (event.target.value.trim()) client.noteTyping();
            else client.stopTyping();
          }}
          onBlur={() => client.stopTyping()}
          onKeyDown={onKeyDown}
        />
        {showCounter && (
          <span id="composer-count" className={`char-count ${length > max ? "over" : ""}`} aria-live="polite">
            {t.charCount(length, max)}
          </span>
        )}
      </div>
      <div className="composer-actions">
        <button type="submit" disabled={!text.trim()}>
          {t.send}
        </button>
        <button type="button" className="secondary" onClick={() => client.clear()}>
          {t.clear}
        </button>
      </div>
    </form>
  );
}
