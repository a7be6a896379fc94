import type { ReactionSummary } from "@chatroom/protocol";
import { useStrings } from "../../i18n/use-strings";
import { useListContext } from "./list-context";

/**
 * A chat's reactions: one chip per emoji with its count, the user's own pressed; hovering one says
 * who reacted (names from the members and authors known here, ids otherwise). A chip toggles the
 * user's own reaction.
 */
export function ReactionChips({ seq, reactions }: { seq: number; reactions: readonly ReactionSummary[] }) {
  const t = useStrings();
  const { client, myId, nameOf } = useListContext();
  return (
    <div className="reactions" data-testid="reactions">
      {reactions.map(({ emoji, count, users }) => {
        const mine = myId !== undefined && users.includes(myId);
        const who = users.map((id) => (id === myId ? t.you : (nameOf(id) ?? id)));
        // The server lists at most 50 users per emoji; the count is exact.
        if (count > users.length) who.push(t.reactionOthers(count - users.length));
        const list = who.join(", ");
        return (
          <button
            key={emoji}
            type="button"
            className={`reaction${mine ? " mine" : ""}`}
            aria-pressed={mine}
            aria-label={t.reactionLabel(emoji, count, list)}
            title={list}
            data-testid="reaction"
            data-emoji={emoji}
            data-count={count}
            onClick={() => client.react(seq, emoji, !mine)}
          >
            <span aria-hidden="true">{emoji}</span> <span className="reaction-count">{count}</span>
          </button>
        );
      })}
    </div>
  );
}
