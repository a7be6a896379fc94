import type { ChatSnapshot } from "@chatroom/client";
import { isStaff } from "@chatroom/client";
import { type KeyboardEvent, type RefObject, useEffect, useMemo, useState } from "react";
import { useNotificationStrings } from "../../i18n/use-notification-strings";
import { UI_TUNABLES } from "../../ui-tunables";
import { type MentionTrigger, mentionCandidates, mentionTrigger } from "./mention-candidates";

export const MENTION_LIST_ID = "mention-list";
const optionId = (index: number) => `${MENTION_LIST_ID}-${index}`;

/** What the composer's textarea says about the list (its ARIA), and the key handler it calls first. */
export interface MentionListState {
  open: boolean;
  activeId: string | undefined;
}

export interface MentionSuggestProps {
  text: string;
  caret: number;
  chat: ChatSnapshot;
  /** The trigger the user dismissed (Escape): not offered again until another `@` is typed. */
  dismissedAt: number | null;
  onPick: (trigger: MentionTrigger, name: string) => void;
  onDismiss: (trigger: MentionTrigger) => void;
  onState: (state: MentionListState) => void;
  /** Set to this list's key handler while it is open: returns true when it used the key. */
  keys: RefObject<((event: KeyboardEvent<HTMLTextAreaElement>) => boolean) | null>;
}

/**
 * The `@` autocomplete under the composer (its own chunk, loaded the first time an `@` is typed):
 * a listbox of the room's members present now, then recent authors, filtered as the user types.
 * Up/Down move, Enter or Tab insert `@name `, Escape closes; a click inserts too. The textarea
 * keeps the focus and points at the active option (`aria-activedescendant`).
 */
export default function MentionSuggest({ text, caret, chat, dismissedAt, onPick, onDismiss, onState, keys }: MentionSuggestProps) {
  const s = useNotificationStrings();
  const trigger = useMemo(() => mentionTrigger(text, caret), [text, caret]);
  const roomAllowed = chat.memberCount <= chat.limits.roomMentionMembersMax || isStaff(chat.access.role);
  const candidates = useMemo(
    () =>
      trigger && trigger.start !== dismissedAt
        ? mentionCandidates({
            members: chat.members,
            items: chat.items,
            myId: chat.me?.id,
            query: trigger.query,
            roomAllowed,
            max: UI_TUNABLES.mentionSuggestionsMax,
          })
        : [],
    [trigger, dismissedAt, chat.members, chat.items, chat.me?.id, roomAllowed],
  );
  const [active, setActive] = useState(0);
  const open = candidates.length > 0;
  const index = Math.min(active, Math.max(0, candidates.length - 1));
  // A new query starts at the best match.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reset when the query changes, on purpose
  useEffect(() => setActive(0), [trigger?.query, trigger?.start]);

  const activeId = open ? optionId(index) : undefined;
  useEffect(() => onState({ open, activeId }), [open, activeId, onState]);
  useEffect(() => () => onState({ open: false, activeId: undefined }), [onState]);

  useEffect(() => {
    keys.current = (event) => {
      if (!open || !trigger) return false;
      const move = (by: number) => setActive((index + by + candidates.length) % candidates.length);
      switch (event.key) {
        case "ArrowDown":
          move(1);
          return true;
        case "ArrowUp":
          move(-1);
          return true;
        case "Enter":
        case "Tab":
          if (event.shiftKey) return false;
          onPick(trigger, (candidates[index] as { name: string }).name);
          return true;
        case "Escape":
          onDismiss(trigger);
          return true;
        default:
          return false;
      }
    };
    return () => {
      keys.current = null;
    };
  }, [keys, open, trigger, candidates, index, onPick, onDismiss]);

  if (!open || !trigger) return null;
  return (
    <div id={MENTION_LIST_ID} className="mention-list" role="listbox" aria-label={s.mentionSuggestions} data-testid="mention-list">
      {candidates.map((candidate, i) => (
        // biome-ignore lint/a11y/useKeyWithClickEvents: the keyboard drives the list from the textarea (aria-activedescendant)
        <div
          key={candidate.id ?? candidate.name}
          tabIndex={-1}
          id={optionId(i)}
          role="option"
          aria-selected={i === index}
          className={`mention-option${i === index ? " active" : ""}`}
          data-testid="mention-option"
          // Keep the focus in the textarea: the click inserts there.
          onMouseDown={(event) => event.preventDefault()}
          onMouseEnter={() => setActive(i)}
          onClick={() => onPick(trigger, candidate.name)}
        >
          <span className="mention-option-name">@{candidate.name}</span>
          {candidate.id === null ? (
            <span className="mention-option-hint">{s.mentionEveryone}</span>
          ) : (
            candidate.present && <span className="mention-option-hint">{s.mentionHere}</span>
          )}
        </div>
      ))}
    </div>
  );
}
