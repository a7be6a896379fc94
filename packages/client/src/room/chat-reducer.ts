import { type ChangeEvent, type ChatFrame, DEFAULT_LIMITS, type ReactionEvent, type ReactionSummary } from "@chatroom/protocol";

/**
 * How a chat stands after the events this tab has seen: pure functions, so every source (live
 * stream, resume, `after` pages, `before` pages) goes through the same two rules and any
 * interleaving of them ends in the same state.
 *
 * 1. An edit, delete or reaction applies only if its `seq` is above the chat's `rev`, and then
 *    becomes its `rev`: a chat loaded as it stands already reflects every event up to its `rev`.
 * 2. A chat that arrives again for a seq already held replaces the held one only if its `rev` is
 *    greater (it reflects more events).
 */

/** The `seq` of the last event reflected in `chat`: a live chat carries no `rev`, it is its own `seq`. */
export function revOf(chat: ChatFrame): number {
  return chat.rev ?? chat.seq;
}

/** Rule 2: whether `incoming` (same seq) should replace `held`. */
export function isNewerChat(held: ChatFrame, incoming: ChatFrame): boolean {
  return revOf(incoming) > revOf(held);
}

/**
 * Rule 1: `chat` with `event` applied, or `chat` itself (the same object) when the event is
 * stale, or is not about it. Returns a new object when it applies, so caches keyed on identity see
 * the change.
 */
export function applyRoomEvent(chat: ChatFrame, event: ChangeEvent): ChatFrame {
  if (event.target !== chat.seq || event.seq <= revOf(chat)) return chat;
  const rev = event.seq;
  // Deleted is final: whatever came after it in the log (nothing should) moves `rev` only.
  if (chat.deleted) return { ...chat, rev };
  switch (event.type) {
    case "edit": {
      // An edit read from a page after its target was deleted carries no text: the delete that
      // follows it finishes the job, and meanwhile no stale text is kept.
      // The mentions are those of the new text: an edit can add or take them away.
      const { text: _old, mentions: _mentions, mentionsRoom: _room, ...rest } = chat;
      return {
        ...rest,
        ...(event.text !== undefined ? { text: event.text } : {}),
        ...(event.mentions !== undefined ? { mentions: event.mentions } : {}),
        ...(event.mentionsRoom ? { mentionsRoom: true as const } : {}),
        edited: { ts: event.ts },
        rev,
      };
    }
    case "delete": {
      // Deleted means gone: the text, the reactions and the quote go; the seq and author stay.
      const { text: _text, reactions: _reactions, replyTo: _replyTo, ...rest } = chat;
      return { ...rest, deleted: { by: event.by, ts: event.ts }, rev };
    }
    case "reaction": {
      const { reactions: _reactions, ...rest } = chat;
      const reactions = applyReaction(chat.reactions ?? [], event);
      return { ...rest, ...(reactions.length > 0 ? { reactions } : {}), rev };
    }
  }
}

/**
 * One user's one emoji set or cleared. The server stores only reactions that change something,
 * so each one moves `count` by exactly one and the count stays exact past the listed users:
 * `on` appends the user while fewer than `listed` are shown, `off` removes them. An emoji enters
 * at the end and leaves at zero.
 */
export function applyReaction(
  reactions: readonly ReactionSummary[],
  event: Pick<ReactionEvent, "emoji" | "on" | "by">,
  listed: number = DEFAULT_LIMITS.reactionUsersListed,
): ReactionSummary[] {
  const index = reactions.findIndex((summary) => summary.emoji === event.emoji);
  const current = reactions[index];
  const userId = event.by.id;
  if (event.on) {
    if (!current) return [...reactions, { emoji: event.emoji, count: 1, users: [userId] }];
    const users = current.users.length < listed && !current.users.includes(userId) ? [...current.users, userId] : current.users;
    return reactions.map((summary, i) => (i === index ? { ...summary, count: summary.count + 1, users } : summary));
  }
  // Clearing an emoji that is not there would mean a state that is not exact: nothing to take away.
  if (!current) return [...reactions];
  if (current.count <= 1) return reactions.filter((_, i) => i !== index);
  const users = current.users.filter((id) => id !== userId);
  return reactions.map((summary, i) => (i === index ? { ...summary, count: summary.count - 1, users } : summary));
}
