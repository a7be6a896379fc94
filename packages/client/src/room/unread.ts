import type { ChatFrame, MembershipEntry } from "@chatroom/protocol";
import { mentionsUser } from "../notifications/room-news";
import type { MessageLog } from "./message-log";

/** What the server counted at one moment: chats above `readSeq` up to `latestSeq`. */
interface Baseline {
  readSeq: number;
  latestSeq: number;
  count: number;
}

/** One count kept from a baseline and the log, cached against the log's version. */
class BaselineCount {
  private baseline: Baseline | null = null;
  /**
   * Whether each chat the log held in the baseline's range counted when the baseline was first
   * read: the server's count includes them as they stood then, so a later edit or delete of one
   * changes the log's count and must not be made up for by the baseline.
   */
  private heldAtBaseline: Map<number, boolean> | null = null;
  private cached: { version: number; readSeq: number; meId: string | undefined; baseline: Baseline | null; value: number } | null = null;

  constructor(private readonly include: (message: ChatFrame, meId: string | undefined) => boolean) {}

  set(baseline: Baseline | null): void {
    this.baseline = baseline;
    this.heldAtBaseline = null;
  }

  count(log: MessageLog, readSeq: number, meId: string | undefined): number {
    const { cached, baseline } = this;
    if (cached && cached.version === log.version && cached.readSeq === readSeq && cached.meId === meId && cached.baseline === baseline) {
      return cached.value;
    }
    const include = (message: ChatFrame) => this.include(message, meId);
    let value = log.countChats(readSeq, Number.POSITIVE_INFINITY, include);
    if (baseline && readSeq < baseline.latestSeq) {
      // The ones the server counted that the log does not hold.
      const first = this.heldAtBaseline === null;
      const then = this.heldAtBaseline ?? new Map<number, boolean>();
      this.heldAtBaseline = then;
      // Chats loaded since (older pages) count as they stand: the nearest to how they stood then.
      const held = log.countChats(baseline.readSeq, baseline.latestSeq, (message) => {
        if (!first) return then.get(message.seq) ?? include(message);
        const counted = include(message);
        then.set(message.seq, counted);
        return counted;
      });
      value += Math.max(0, baseline.count - held);
    }
    this.cached = { version: log.version, readSeq, meId, baseline, value };
    return value;
  }
}

const fromOthers = (message: ChatFrame, meId: string | undefined) => message.from.id !== meId && !message.deleted;

/**
 * A room's unread counts: chats from others above the read marker, not deleted (edits, deletes
 * and reactions are no news of their own), and of those the ones that mention the user (by name
 * or `@room`, as their current text does: an edit can add or take a mention away). The server
 * says how many there were (`ready`, and for mentions also `joined`: the baseline); from then on
 * each count is kept locally from the log, and the baseline only covers the chats the log does
 * not hold (a room joined without its older messages, or not joined yet).
 */
export class UnreadCounter {
  private readonly unread = new BaselineCount(fromOthers);
  private readonly mentions = new BaselineCount((message, meId) => fromOthers(message, meId) && mentionsUser(message, meId));

  /** The room's entry in the latest `ready`, or null when that `ready` did not list it. */
  setBaseline(entry: MembershipEntry | null): void {
    this.unread.set(entry && { readSeq: entry.readSeq, latestSeq: entry.latestSeq, count: entry.unread });
    this.mentions.set(entry && { readSeq: entry.readSeq, latestSeq: entry.latestSeq, count: entry.unreadMentions });
  }

  /** `joined`'s mention count: newer than `ready`'s. */
  setMentionBaseline(joined: { readSeq: number; latestSeq: number; unreadMentions: number }): void {
    this.mentions.set({ readSeq: joined.readSeq, latestSeq: joined.latestSeq, count: joined.unreadMentions });
  }

  count(log: MessageLog, readSeq: number, meId: string | undefined): number {
    return this.unread.count(log, readSeq, meId);
  }

  mentionCount(log: MessageLog, readSeq: number, meId: string | undefined): number {
    return this.mentions.count(log, readSeq, meId);
  }
}
