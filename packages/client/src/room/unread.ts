import type { ChatFrame, MembershipEntry } from "@chatroom/protocol";
import type { MessageLog } from "./message-log";

/**
 * A room's unread count: chats from others above the read marker, not deleted (edits, deletes
 * and reactions are no news of their own). `ready` says how many there
 * were when it was sent (the baseline); from then on the count is kept locally from the log, and
 * the baseline only covers the unread chats the log does not hold (a room joined without its
 * older messages, or not joined yet).
 */
export class UnreadCounter {
  private baseline: MembershipEntry | null = null;
  private cached: { version: number; readSeq: number; meId: string | undefined; baseline: MembershipEntry | null; value: number } | null =
    null;

  /** The room's entry in the latest `ready`, or null when that `ready` did not list it. */
  setBaseline(entry: MembershipEntry | null): void {
    this.baseline = entry;
  }

  count(log: MessageLog, readSeq: number, meId: string | undefined): number {
    const { cached, baseline } = this;
    if (cached && cached.version === log.version && cached.readSeq === readSeq && cached.meId === meId && cached.baseline === baseline) {
      return cached.value;
    }
    const fromOthers = (message: ChatFrame) => message.from.id !== meId && !message.deleted;
    let value = log.countChats(readSeq, Number.POSITIVE_INFINITY, fromOthers);
    if (baseline && readSeq < baseline.latestSeq) {
      // The ones `ready` counted that the log does not hold.
      const held = log.countChats(baseline.readSeq, baseline.latestSeq, fromOthers);
      value += Math.max(0, baseline.unread - held);
    }
    this.cached = { version: log.version, readSeq, meId, baseline, value };
    return value;
  }
}
