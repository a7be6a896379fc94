import { type ChatFrame, DEFAULT_LIMITS, type ReactionSummary, type ReplyQuote, type User } from "@chatroom/protocol";

/**
 * A chat as every store keeps it: its current state, with the reply link as the target's seq.
 * The quote a reader sees is computed from the target as it stands when it is read, never kept
 * as a copy, so deleting the target removes its text from every reply at once.
 */
export interface StoredChat {
  room: string;
  seq: number;
  id: string;
  from: User;
  /** Absent exactly when deleted. */
  text?: string;
  ts: number;
  clientMsgId: string;
  /** The seq of the last event that changed it; its own seq if none. */
  rev: number;
  replyTo?: number;
  edited?: { ts: number };
  deleted?: { by: User; ts: number };
  /** Absent when there are none. */
  reactions?: ReactionSummary[];
  /** The current text's mentions (mentions.ts); absent when none, and always once deleted. */
  mentions?: User[];
  mentionsRoom?: true;
}

/** A chat's or an edit's resolved mentions, as stored and sent. */
export type MentionFields = Pick<ChatFrame, "mentions" | "mentionsRoom">;

/**
 * Mentions as the chat layer hands them to the store: `roomMentionMembersMax` when the text says
 * `@room` and its author is not staff, for the store to decide in the append's atomic step.
 */
export type MentionRequest = MentionFields & {
  /** `@room` counts when the room has at most this many members (users holding a membership). */
  roomMentionMembersMax?: number;
};

/** The mention fields a store keeps for a request, given the room's member count (asked only when needed). */
export function decideMentions(request: MentionRequest, memberCount: () => number): MentionFields {
  const { roomMentionMembersMax } = request;
  const room = request.mentionsRoom === true || (roomMentionMembersMax !== undefined && memberCount() <= roomMentionMembersMax);
  return mentionFieldsOf({ ...(request.mentions ? { mentions: request.mentions } : {}), ...(room ? { mentionsRoom: true } : {}) });
}

/** The mention fields to spread into a frame or a stored chat: only those present, copied. */
export function mentionFieldsOf(fields: MentionFields): MentionFields {
  return {
    ...(fields.mentions && fields.mentions.length > 0 ? { mentions: fields.mentions.map(copyUser) } : {}),
    ...(fields.mentionsRoom ? { mentionsRoom: true as const } : {}),
  };
}

/** Whether a chat's current mentions reach `userId`: by name, or `@room`. */
export function mentionsUser(fields: MentionFields, userId: string): boolean {
  return fields.mentionsRoom === true || (fields.mentions?.some((user) => user.id === userId) ?? false);
}

/** What a reply needs of the chat it replies to. */
export type ReplyTarget = Pick<StoredChat, "from" | "text">;

/** What a reply shows of its target: up to `replyQuoteLength` code points of its text now. */
export function quoteOf(seq: number, target: ReplyTarget | undefined): ReplyQuote {
  // A target the store does not have reads like a deleted one: it cannot be shown.
  if (target?.text === undefined) return { seq, deleted: true };
  return { seq, from: copyUser(target.from), text: firstCodePoints(target.text, DEFAULT_LIMITS.replyQuoteLength) };
}

/**
 * The frame of a stored chat. `live`: as sent, the echo of an append (no `rev`, which equals
 * `seq`); otherwise as it stands, for pages. `target` is the chat it replies to, if any.
 */
export function chatFrameOf(chat: StoredChat, target: ReplyTarget | undefined, options: { live: boolean }): ChatFrame {
  const frame: ChatFrame = {
    type: "chat",
    room: chat.room,
    seq: chat.seq,
    id: chat.id,
    from: copyUser(chat.from),
    ...(chat.text === undefined ? {} : { text: chat.text }),
    ts: chat.ts,
    clientMsgId: chat.clientMsgId,
  };
  if (chat.replyTo !== undefined) frame.replyTo = quoteOf(chat.replyTo, target);
  if (!options.live) frame.rev = chat.rev;
  if (chat.edited) frame.edited = { ts: chat.edited.ts };
  if (chat.deleted) frame.deleted = { by: copyUser(chat.deleted.by), ts: chat.deleted.ts };
  if (chat.reactions && chat.reactions.length > 0) frame.reactions = chat.reactions.map(copyReaction);
  // A deleted chat mentions nobody: the store drops them with its text, and this holds it anyway.
  if (!chat.deleted) Object.assign(frame, mentionFieldsOf(chat));
  return frame;
}

export function copyUser(user: User): User {
  return { id: user.id, name: user.name };
}

export function copyReaction(reaction: ReactionSummary): ReactionSummary {
  return { emoji: reaction.emoji, count: reaction.count, users: [...reaction.users] };
}

/** The first `count` code points of `text`, never splitting a surrogate pair. */
function firstCodePoints(text: string, count: number): string {
  let units = 0;
  for (let points = 0; points < count && units < text.length; points++) {
    const unit = text.charCodeAt(units);
    const next = text.charCodeAt(units + 1);
    units += unit >= 0xd800 && unit <= 0xdbff && next >= 0xdc00 && next <= 0xdfff ? 2 : 1;
  }
  return text.slice(0, units);
}
