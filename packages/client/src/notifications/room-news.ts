import type { ChatFrame, NotifyLevel, User } from "@chatroom/protocol";

/** Whether a chat (as it stands, or an edit's new text) mentions `userId`, by name or with `@room`. */
export function mentionsUser(chat: Pick<ChatFrame, "mentions" | "mentionsRoom">, userId: string | undefined): boolean {
  return chat.mentionsRoom === true || (userId !== undefined && chat.mentions?.some((user) => user.id === userId) === true);
}

/**
 * Something that just happened live in one of the tab's rooms and may be worth a notification:
 * a new chat, or an edit of one. Built by the room that saw it, with where the user stands there
 * (their level, who they are), so the rule below needs nothing else.
 */
export interface RoomNews {
  kind: "chat" | "edit";
  room: string;
  /** The chat's seq (an edit's target). */
  seq: number;
  /** The chat's author (an edit's editor, who is its author). */
  from: User;
  /** The text as it now stands. */
  text: string | undefined;
  /** The new text mentions the user (by name, or `@room`). */
  mentionsMe: boolean;
  /** An edit: the chat mentioned the user before it (false when the tab did not hold it). */
  mentionedBefore: boolean;
  /** The user's level in that room when it happened. */
  level: NotifyLevel;
  /** The user's id, once known. */
  meId: string | undefined;
}

/**
 * Whether `news` deserves a notification, by the user's level in its room: `all` every chat from
 * others, `mentions` the chats that mention them (or `@room`), `none` nothing. Never for their own
 * chats; an edit only for a mention it adds (a typo fixed is no news, a mention taken away neither).
 * Whether the page is on screen is the notifier's concern, not this rule's.
 */
export function notificationDue(news: RoomNews): boolean {
  if (news.level === "none" || news.meId === undefined || news.from.id === news.meId) return false;
  if (news.kind === "edit") return news.mentionsMe && !news.mentionedBefore;
  return news.level === "all" || news.mentionsMe;
}
