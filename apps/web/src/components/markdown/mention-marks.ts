import { type ChatFrame, findMentions, foldName, ROOM_MENTION } from "@chatroom/protocol";

/** What a message's text highlights: the names its `mentions` list (as they were spelled then), which of them are the reader, and `@room`. */
export interface MentionMarks {
  names: readonly string[];
  mine: readonly string[];
  room: boolean;
  /** `@room` counts as a mention of the reader (someone else wrote it). */
  roomIsMine: boolean;
  /**
   * The mentions in a run of the text (`mentionRanges`). Handed to the renderer's chunk rather
   * than imported there: a lazy chunk importing the page's modules makes the bundler split the
   * page's first script into several chunks, which costs about 1.7 KB gzip of the budget.
   */
  ranges: (text: string) => MentionRange[];
}

export interface MentionRange {
  start: number;
  end: number;
  /** A mention of the reader (or `@room` from someone else). */
  me: boolean;
}

/** The marks of a chat as the server resolved it, or undefined when it mentions nobody (most chats: no highlighter loads). */
export function mentionMarksOf(
  message: Pick<ChatFrame, "mentions" | "mentionsRoom" | "from">,
  myId: string | undefined,
): MentionMarks | undefined {
  const mentions = message.mentions ?? [];
  if (mentions.length === 0 && !message.mentionsRoom) return undefined;
  const marks: MentionMarks = {
    names: mentions.map((user) => user.name),
    mine: mentions.filter((user) => user.id === myId).map((user) => user.name),
    room: message.mentionsRoom === true,
    roomIsMine: message.mentionsRoom === true && message.from.id !== myId,
    ranges: (text) => mentionRanges(text, marks),
  };
  return marks;
}

/** The mentions of `marks` in `text`, by the protocol's one grammar (`findMentions`), each saying whether it is the reader. */
export function mentionRanges(text: string, marks: Omit<MentionMarks, "ranges">): MentionRange[] {
  const mine = new Set(marks.mine.map(foldName));
  return findMentions(text, marks.names, marks.room).map((span) => ({
    start: span.start,
    end: span.end,
    me: span.name === ROOM_MENTION ? marks.roomIsMine : mine.has(foldName(span.name)),
  }));
}
