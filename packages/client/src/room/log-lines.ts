import type { ChatFrame, ModerationEvent, User } from "@chatroom/protocol";

export type LogEvent =
  | { kind: "joined"; user: User }
  | { kind: "left"; user: User }
  | { kind: "renamed"; user: User; previousName: string }
  | { kind: "notice"; text: string }
  | { kind: "connected" }
  | { kind: "disconnected" };

export interface EventEntry {
  key: string;
  ts: number;
  /** The highest seq covered when the event arrived: it is shown right after that message. */
  afterSeq: number;
  event: LogEvent;
}

/**
 * A row of the log: a chat, a moderation event (stored in the room's log with its own seq, so it
 * sits between the chats by seq), or a local event line.
 */
export type LogItem =
  | { type: "chat"; key: string; message: ChatFrame }
  | { type: "moderation"; key: string; event: ModerationEvent }
  | { type: "event"; key: string; entry: EventEntry };

/** How many lines are kept: they are local news, not history. */
const MAX_LINES = 500;

/**
 * The local event lines of a room's log (who joined, left, renamed; the link dropped and came
 * back), each placed after the newest seq held when it happened, and interleaved with the chats
 * for display.
 */
export class LogLines {
  private lines: EventEntry[] = [];
  private counter = 0;

  add(event: LogEvent, ts: number, afterSeq: number): void {
    this.lines.push({ key: `e${++this.counter}-${ts}`, ts, afterSeq, event });
    if (this.lines.length > MAX_LINES) this.lines.splice(0, this.lines.length - MAX_LINES);
  }

  /** Drops the lines placed among chats below `seq`. */
  dropBefore(seq: number): void {
    // A line placed after seq-1 sits right above `seq`, so it still belongs with what is kept.
    this.lines = this.lines.filter((entry) => entry.afterSeq >= seq - 1);
  }

  /** Drops the lines placed among chats in `from..to` (a stretch dropped from the middle of the log). */
  dropBetween(from: number, to: number): void {
    this.lines = this.lines.filter((entry) => entry.afterSeq < from || entry.afterSeq >= to);
  }

  clear(): void {
    this.lines = [];
  }

  /**
   * The chats and moderation events (each sorted by seq) merged by seq, with the lines between
   * them; only the lines placed below `linesBelow` (a window that stops short of the live end).
   */
  interleave(chats: readonly ChatFrame[], moderation: readonly ModerationEvent[] = [], linesBelow = Number.POSITIVE_INFINITY): LogItem[] {
    const items: LogItem[] = [];
    const lines = this.lines.filter((entry) => entry.afterSeq < linesBelow);
    let next = 0;
    let nextModeration = 0;
    const linesBefore = (seq: number) => {
      while (next < lines.length && (lines[next] as EventEntry).afterSeq < seq) {
        const entry = lines[next++] as EventEntry;
        items.push({ type: "event", key: entry.key, entry });
      }
    };
    const moderationBefore = (seq: number) => {
      while (nextModeration < moderation.length && (moderation[nextModeration] as ModerationEvent).seq < seq) {
        const event = moderation[nextModeration++] as ModerationEvent;
        linesBefore(event.seq);
        items.push({ type: "moderation", key: `d${event.seq}`, event });
      }
    };
    for (const message of chats) {
      moderationBefore(message.seq);
      linesBefore(message.seq);
      items.push({ type: "chat", key: `m${message.seq}`, message });
    }
    moderationBefore(Number.POSITIVE_INFINITY);
    for (const entry of lines.slice(next)) items.push({ type: "event", key: entry.key, entry });
    return items;
  }
}
