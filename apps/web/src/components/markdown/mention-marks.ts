import type { ChatFrame } from "@chatroom/protocol";

/** What a message's text highlights: the names its `mentions` list (as they were spelled then), which of them are the reader, and `@room`. */
export interface MentionMarks {
  names: readonly string[];
  mine: readonly string[];
  room: boolean;
}

/** The marks of a chat as the server resolved it, or undefined when it mentions nobody (most chats: no highlighter loads). */
export function mentionMarksOf(message: Pick<ChatFrame, "mentions" | "mentionsRoom">, myId: string | undefined): MentionMarks | undefined {
  const mentions = message.mentions ?? [];
  if (mentions.length === 0 && !message.mentionsRoom) return undefined;
  return {
    names: mentions.map((user) => user.name),
    mine: mentions.filter((user) => user.id === myId).map((user) => user.name),
    room: message.mentionsRoom === true,
  };
}
