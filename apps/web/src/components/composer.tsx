import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import { codePointLength } from "@chatroom/protocol";
import { type KeyboardEvent, useRef, useState } from "react";
import { useStrings } from "../i18n/use-strings";

/** The counter shows from this share of the limit on, so it only appears when it matters. */
const COUNTER_FROM = 0.9;

export function Composer({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const [text, setText] = useState("");
  const input = useRef<HTMLTextAreaElement>(null);
  const max = chat.limits.maxTextLength;
  // Counted as the server counts: code points, so an emoji is one character, not two.
  const length = codePointLength(text.trim());
  const showCounter = length >= max * COUNTER_FROM;

  const send = () => {
    if (client.send(text)) setText("");
    // Send disables itself once the box is empty: keep the keyboard in the box, not on <body>.
    input.current?.focus();
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
        <textarea
          id="composer-input"
          ref={input}
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
