import { type OutboxEntry, type PendingChange, withPending } from "@chatroom/client";
import type { ChatFrame } from "@chatroom/protocol";
import { memo, useCallback, useMemo, useState } from "react";
import { useLongPress } from "../../hooks/use-long-press";
import { useStrings } from "../../i18n/use-strings";
import { Avatar } from "../avatar";
import { MarkdownText } from "../markdown/markdown-text";
import { mentionMarksOf } from "../markdown/mention-marks";
import { RoleBadge } from "../staff/role-badge";
import { badgeRole } from "../staff/staff-actions";
import { fullFormat, timeFormat } from "./formats";
import { useListContext } from "./list-context";
import { MessageActions } from "./message-actions";
import { ReactionChips } from "./reaction-chips";
import { RefusedChange } from "./refused-change";
import { ReplyQuote } from "./reply-quote";

/**
 * The inside of a stored chat's row (the row element itself is the list's, see row-item.tsx), as
 * it stands with the user's pending changes on top: a pending edit's text, a pending delete shown
 * as "deleting", pending reactions toggled. `grouped` under the previous one shows its time in
 * the gutter instead of a header. Memoized: a row renders again only when its chat, its pending
 * changes or its refusals do.
 */
export const ChatRow = memo(function ChatRow({
  message,
  grouped,
  pending,
  refused,
}: {
  message: ChatFrame;
  grouped: boolean;
  pending: PendingChange | undefined;
  refused: readonly OutboxEntry[] | undefined;
}) {
  const t = useStrings();
  const { client, myId, access } = useListContext();
  const [actionsOpen, setActionsOpen] = useState(false);
  const closeActions = useCallback(() => setActionsOpen(false), []);
  const longPress = useLongPress(() => setActionsOpen(true));
  const shown = useMemo(() => withPending(message, pending, myId ?? ""), [message, pending, myId]);
  const mentions = useMemo(() => mentionMarksOf(message, myId), [message, myId]);
  const reacted = useMemo(
    () => new Set((shown.reactions ?? []).filter((reaction) => myId !== undefined && reaction.users.includes(myId)).map((r) => r.emoji)),
    [shown.reactions, myId],
  );

  const time = (
    <time dateTime={new Date(message.ts).toISOString()} title={fullFormat.format(message.ts)}>
      {timeFormat.format(message.ts)}
    </time>
  );
  const gutter = (
    <div className="gutter">{grouped ? <span className="gutter-time">{time}</span> : <Avatar name={message.from.name} />}</div>
  );
  const meta = !grouped && (
    <div className="message-meta">
      <span className="author">{message.from.name}</span>
      <RoleBadge role={badgeRole(access, message.from)} />
      {time}
    </div>
  );

  if (message.deleted) {
    return (
      <>
        {gutter}
        <div className="message-body">
          {meta}
          <div className="deleted-line">{t.messageDeleted}</div>
        </div>
      </>
    );
  }

  const deleting = pending?.deleted === true;
  const saving = pending?.text !== undefined;
  return (
    <>
      {gutter}
      <div className="message-body" {...longPress}>
        {meta}
        {shown.replyTo && <ReplyQuote quote={shown.replyTo} />}
        <div className="message-text">
          <MarkdownText text={shown.text ?? ""} mentions={mentions} />
        </div>
        {(shown.edited || deleting || saving) && (
          <div className="message-status">
            {deleting ? (
              <span className="delivery">{t.deleting}</span>
            ) : saving ? (
              <span className="delivery">{t.savingEdit}</span>
            ) : (
              shown.edited && (
                <span className="edited" data-testid="edited" title={t.editedAt(fullFormat.format(shown.edited.ts))}>
                  {t.edited}
                </span>
              )
            )}
          </div>
        )}
        {shown.reactions && shown.reactions.length > 0 && <ReactionChips seq={message.seq} reactions={shown.reactions} />}
        {refused?.map((entry) => (
          <RefusedChange key={entry.clientMsgId} entry={entry} client={client} />
        ))}
      </div>
      {!deleting && <MessageActions message={shown} reacted={reacted} open={actionsOpen} onClose={closeActions} />}
    </>
  );
});
