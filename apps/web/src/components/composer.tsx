import type { ChatClient, ChatSnapshot } from "@chatroom/client";
import { codePointLength } from "@chatroom/protocol";
import { type KeyboardEvent, lazy, Suspense, useCallback, useRef, useState } from "react";
import { useComposerFocus } from "../hooks/use-composer-focus";
import { useComposerIntent } from "../hooks/use-composer-intent";
import { useNow } from "../hooks/use-now";
import type { Strings } from "../i18n/strings";
import { useStrings } from "../i18n/use-strings";
import { UI_TUNABLES } from "../ui-tunables";
import { lastEditable } from "./last-editable";
import type { MentionTrigger } from "./mentions/mention-candidates";
import type { MentionListState } from "./mentions/mention-suggest";
import { type ComposerBlock, composerBlock } from "./staff/staff-actions";

// The `@` list is its own chunk, loaded the first time an `@` is typed.
const MentionSuggest = lazy(() => import("./mentions/mention-suggest"));

/** Whether an `@` sits within a name's length before the caret: only then is the list (and its chunk) needed. */
function mayBeMentioning(text: string, caret: number): boolean {
  const at = text.lastIndexOf("@", caret - 1);
  return at !== -1 && caret - at <= 33;
}

function blockText(block: ComposerBlock, t: Strings): string {
  switch (block.kind) {
    case "locked":
      return t.staff.composerLocked;
    case "muted":
      return t.staff.composerMuted(block.until === null ? null : new Date(block.until).toLocaleString());
    case "slow":
      return t.staff.composerSlowMode(Math.ceil(block.remainingMs / 1000));
  }
}

export function Composer({ client, chat }: { client: ChatClient; chat: ChatSnapshot }) {
  const t = useStrings();
  const [text, setText] = useState("");
  const [caret, setCaret] = useState(0);
  const [mentionList, setMentionList] = useState<MentionListState>({ open: false, activeId: undefined });
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const mentionKeys = useRef<((event: KeyboardEvent<HTMLTextAreaElement>) => boolean) | null>(null);
  const { inputRef, focusComposer } = useComposerFocus();
  const intents = useComposerIntent();
  const intent = intents.intentIn(chat.room);
  const max = chat.limits.maxTextLength;
  // Counted as the server counts: code points, so an emoji is one character, not two.
  const length = codePointLength(text.trim());
  const showCounter = length >= max * UI_TUNABLES.counterFrom;
  // Locked, muted or waiting out slow mode: the box says why instead of letting a refused message be written.
  const { access } = chat;
  const timed = typeof access.mutedUntil === "number" || (access.slowModeMs > 0 && access.lastOwnChatAt > 0);
  const now = useNow(timed);
  const block = composerBlock(access, now);

  // An edit starts with the message's text in the box (React's pattern for state from props: set during render).
  const [editing, setEditing] = useState<number | null>(null);
  const editSeq = intent?.kind === "edit" ? intent.seq : null;
  if (editSeq !== editing) {
    setEditing(editSeq);
    if (intent?.kind === "edit") setText(intent.text);
  }

  const cancel = () => {
    if (intent?.kind === "edit") setText("");
    intents.cancel();
  };

  const send = () => {
    const done =
      intent?.kind === "edit" ? client.edit(intent.seq, text) : client.send(text, intent?.kind === "reply" ? { replyTo: intent.seq } : {});
    if (done) {
      setText("");
      intents.cancel();
    }
    // Send disables itself once the box is empty: keep the keyboard in the box, not on <body>.
    focusComposer();
  };

  const pickMention = useCallback(
    (trigger: MentionTrigger, name: string) => {
      const box = inputRef.current;
      const at = box?.selectionStart ?? caret;
      const value = box?.value ?? text;
      const inserted = `@${name} `;
      const next = `${value.slice(0, trigger.start)}${inserted}${value.slice(at).replace(/^ /, "")}`;
      const nextCaret = trigger.start + inserted.length;
      setText(next);
      setCaret(nextCaret);
      // After React has put the new value in the box.
      requestAnimationFrame(() => box?.setSelectionRange(nextCaret, nextCaret));
    },
    [caret, text, inputRef],
  );
  const dismissMention = useCallback((trigger: MentionTrigger) => setDismissedAt(trigger.start), []);
  const noteCaret = (box: HTMLTextAreaElement) => setCaret(box.selectionStart ?? box.value.length);

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.nativeEvent.isComposing) return;
    // The open `@` list takes Up, Down, Enter, Tab and Escape first.
    if (mentionKeys.current?.(event)) {
      event.preventDefault();
      return;
    }
    if (event.key === "Enter" && !event.shiftKey) {
      event.preventDefault();
      send();
    } else if (event.key === "Escape" && intent) {
      event.preventDefault();
      cancel();
    } else if (event.key === "ArrowUp" && text === "" && !intent) {
      // Up in an empty box edits the user's last message, as in most chats.
      const message = lastEditable(chat.items, chat.me?.id, chat.limits.editWindowMs, Date.now());
      if (message) {
        event.preventDefault();
        intents.edit(chat.room, message.seq, message.text ?? "");
      }
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
      {intent && (
        <div className="composer-intent" data-testid="composer-intent" data-kind={intent.kind}>
          <span>{intent.kind === "edit" ? t.editingMessage : t.replyingTo(intent.author)}</span>
          <button type="button" className="link-button" onClick={cancel}>
            {intent.kind === "edit" ? t.cancelEdit : t.cancelReply}
          </button>
        </div>
      )}
      <div className="composer-field">
        {/* No maxLength: it counts UTF-16 units and would cut a pasted text silently; the limit is checked on send, in code points, and said. */}
        {/* The id is for the label (and the e2e specs); other components focus the box through useComposerFocus. */}
        <textarea
          id="composer-input"
          ref={inputRef}
          value={text}
          rows={2}
          placeholder={t.composerPlaceholder}
          aria-describedby={block ? "composer-blocked" : showCounter ? "composer-count" : undefined}
          disabled={block !== null && block.kind !== "slow"}
          aria-invalid={length > max ? true : undefined}
          aria-autocomplete="list"
          aria-controls={mentionList.open ? "mention-list" : undefined}
          aria-activedescendant={mentionList.activeId}
          onSelect={(event) => noteCaret(event.currentTarget)}
          onChange={(event) => {
            setText(event.target.value);
            noteCaret(event.target);
            if (dismissedAt !== null && event.target.value[dismissedAt] !== "@") setDismissedAt(null);
            if (event.target.value.trim()) client.noteTyping();
            else client.stopTyping();
          }}
          onBlur={() => client.stopTyping()}
          onKeyDown={onKeyDown}
        />
        {mayBeMentioning(text, caret) && (
          <Suspense fallback={null}>
            <MentionSuggest
              text={text}
              caret={caret}
              chat={chat}
              dismissedAt={dismissedAt}
              onPick={pickMention}
              onDismiss={dismissMention}
              onState={setMentionList}
              keys={mentionKeys}
            />
          </Suspense>
        )}
        {showCounter && (
          <span id="composer-count" className={`char-count ${length > max ? "over" : ""}`} aria-live="polite">
            {t.charCount(length, max)}
          </span>
        )}
      </div>
      {block && (
        <p id="composer-blocked" className="composer-blocked" role="status" data-testid="composer-blocked" data-kind={block.kind}>
          {blockText(block, t)}
        </p>
      )}
      <div className="composer-actions">
        <button type="submit" disabled={!text.trim() || block !== null}>
          {intent?.kind === "edit" ? t.save : t.send}
        </button>
        <button type="button" className="secondary" onClick={() => client.clear()}>
          {t.clear}
        </button>
      </div>
    </form>
  );
}
