import type { ChatFrame } from "@chatroom/protocol";
import { useEffect, useRef, useState } from "react";
import { useStrings } from "../../i18n/use-strings";
import { messageUrl } from "../../message-link";
import { QUICK_EMOJI } from "../emoji/quick-emoji";
import { canDeleteAsStaff } from "../staff/staff-actions";
import { useListContext } from "./list-context";

/** Ours, not deleted, and (with an edit window) recent enough: the server would take an edit. */
export function canEdit(message: ChatFrame, myId: string | undefined, editWindowMs: number | undefined, now: number): boolean {
  if (message.from.id !== myId || message.deleted) return false;
  return editWindowMs === undefined || now - message.ts < editWindowMs;
}

/**
 * What can be done to one chat: the six quick reactions, the full picker, reply, and for the
 * author edit and delete. Shown on hover, on keyboard focus inside the message, or (`open`) after
 * a long press; deleting asks once more.
 */
export function MessageActions({
  message,
  reacted,
  open,
  onClose,
}: {
  message: ChatFrame;
  /** The emoji the user has reacted with (pending toggles included). */
  reacted: ReadonlySet<string>;
  /** Opened by a long press: shown until a touch lands elsewhere. */
  open: boolean;
  onClose: () => void;
}) {
  const t = useStrings();
  const { client, myId, editWindowMs, reply, edit, pickEmoji, access, report } = useListContext();
  const [confirming, setConfirming] = useState(false);
  const [copied, setCopied] = useState(false);
  const toolbar = useRef<HTMLDivElement>(null);
  const mine = message.from.id === myId;
  // Staff delete others' messages by rank; everyone may report someone else's.
  const deletable = !message.deleted && (mine || canDeleteAsStaff(access, message.from, myId));

  useEffect(() => {
    if (!open) return;
    const closeOutside = (event: PointerEvent) => {
      if (!toolbar.current?.contains(event.target as Node)) onClose();
    };
    document.addEventListener("pointerdown", closeOutside);
    return () => document.removeEventListener("pointerdown", closeOutside);
  }, [open, onClose]);

  const act = (action: () => void) => () => {
    action();
    onClose();
  };

  return (
    <div
      ref={toolbar}
      className={`message-actions${open || confirming ? " open" : ""}`}
      role="toolbar"
      aria-label={t.messageActions}
      data-testid="message-actions"
    >
      {confirming ? (
        <>
          <span className="confirm-text">{t.confirmDelete}</span>
          <button
            type="button"
            className="small-button danger"
            data-testid="confirm-delete"
            // The trash button that had focus is gone: the keyboard lands on the question's answer.
            ref={(button) => button?.focus()}
            onClick={act(() => {
              setConfirming(false);
              client.remove(message.seq);
            })}
          >
            {t.delete}
          </button>
          <button type="button" className="small-button secondary" onClick={() => setConfirming(false)}>
            {t.cancel}
          </button>
        </>
      ) : (
        <>
          {QUICK_EMOJI.map((emoji) => (
            <button
              key={emoji}
              type="button"
              className="action-button emoji-button"
              aria-label={t.reactWith(emoji)}
              aria-pressed={reacted.has(emoji)}
              title={t.reactWith(emoji)}
              onClick={act(() => client.react(message.seq, emoji, !reacted.has(emoji)))}
            >
              {emoji}
            </button>
          ))}
          <button
            type="button"
            className="action-button"
            aria-label={t.moreEmoji}
            title={t.moreEmoji}
            data-testid="more-emoji"
            onClick={act(() => pickEmoji(message.seq))}
          >
            <span aria-hidden="true">☺+</span>
          </button>
          <button type="button" className="action-button" aria-label={t.reply} title={t.reply} onClick={act(() => reply(message))}>
            <span aria-hidden="true">↩</span>
          </button>
          <button
            type="button"
            className="action-button"
            aria-label={copied ? t.linkCopied : t.copyLink}
            title={t.copyLink}
            data-testid="copy-link"
            onClick={() => void navigator.clipboard?.writeText(messageUrl(message.room, message.seq)).then(() => setCopied(true))}
          >
            <span aria-hidden="true">{copied ? "✓" : "🔗"}</span>
          </button>
          {canEdit(message, myId, editWindowMs, Date.now()) && (
            <button type="button" className="action-button" aria-label={t.edit} title={t.edit} onClick={act(() => edit(message))}>
              <span aria-hidden="true">✎</span>
            </button>
          )}
          {deletable && (
            <button type="button" className="action-button" aria-label={t.delete} title={t.delete} onClick={() => setConfirming(true)}>
              <span aria-hidden="true">🗑</span>
            </button>
          )}
          {!mine && !message.deleted && (
            <button
              type="button"
              className="action-button"
              aria-label={t.staff.report}
              title={t.staff.report}
              data-testid="report-message"
              onClick={act(() => report(message.seq))}
            >
              <span aria-hidden="true">⚑</span>
            </button>
          )}
        </>
      )}
    </div>
  );
}
