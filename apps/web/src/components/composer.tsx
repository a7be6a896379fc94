import { type KeyboardEvent, useState } from "react";
import type { ChatClient, ChatSnapshot } from "../client/chat-client";
import { useStrings } from "../i18n/use-strings";

export function Composer({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const [text, setText] = useState("");

  const send = () => {
    if (client.send(text)) setText("");
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
      <textarea
        id="composer-input"
        value={text}
        rows={2}
        placeholder={t.composerPlaceholder}
        maxLength={chat.limits.maxTextLength * 2}
        onChange={(event) => {
          setText(event.target.value);
          if (event.target.value.trim()) client.noteTyping();
          else client.stopTyping();
        }}
        onBlur={() => client.stopTyping()}
        onKeyDown={onKeyDown}
      />
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
