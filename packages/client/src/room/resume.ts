import type { ChatFrame, HistoryFrame, JoinedFrame } from "@chatroom/protocol";
import type { IncomingFrame, IncomingType } from "./frame-router";
import type { MessageLog } from "./message-log";

/**
 * A resume's `joined` held back until the server shows it still has our newest chat at or below
 * `since` (the anchor): a store that was reset and refilled past `since` would otherwise splice its
 * new seqs onto our old log. `since` itself may be the seq of an edit or a reaction, which a
 * `before` page (chats only) cannot show, hence the anchor.
 */
interface ContinuityCheck {
  joined: JoinedFrame;
  since: number;
  /** The seq and `id` of the chat we hold as the anchor. */
  anchor: number;
  id: string;
  /** The room's frames that came after its `joined`, replayed once it is applied. */
  held: IncomingFrame[];
}

/** What to do with a `joined`: apply it now, or first verify that the server's log continues ours at `since`. */
export type JoinedDecision = { kind: "apply"; since: number | undefined; storeReset: boolean } | { kind: "verify"; anchor: number };

/** A held `joined`, ready to apply once the check came back. */
export interface VerifiedJoin {
  joined: JoinedFrame;
  since: number;
  storeReset: boolean;
  held: IncomingFrame[];
}

/** Frames that may pass while a `joined` is held: the check's own answer, and what carries no room state. */
const PASS_WHILE_VERIFYING: ReadonlySet<IncomingType> = new Set(["history", "error"]);

/**
 * Resuming a room after a reconnect: which `since` each join asked for, and the continuity check
 * that tells a resume from a store reset.
 */
export class Resume {
  /** The `since` of the join in flight, to read its `joined`. */
  private lastSince: number | undefined;
  private check: ContinuityCheck | null = null;

  /** A new join asks for what came after `since`. */
  attempt(since: number | undefined): number | undefined {
    this.lastSince = since;
    return since;
  }

  /** Whether a `joined` is held back until its continuity is known. */
  get verifying(): boolean {
    return this.check !== null;
  }

  /** While a `joined` is held, nothing of the room's stream reaches the log: those frames wait. */
  holds(frame: IncomingFrame): boolean {
    if (!this.check || PASS_WHILE_VERIFYING.has(frame.type)) return false;
    this.check.held.push(frame);
    return true;
  }

  joined(frame: JoinedFrame, log: MessageLog): JoinedDecision {
    const since = this.lastSince;
    const anchor = since !== undefined && since > 0 && frame.latestSeq >= since ? log.chatAtOrBelow(since) : undefined;
    if (since !== undefined && anchor) {
      this.check = { joined: frame, since, anchor: anchor.seq, id: anchor.id, held: [] };
      return { kind: "verify", anchor: anchor.seq };
    }
    // The server holds less than we do: its store was reset, so our log no longer matches it.
    return { kind: "apply", since, storeReset: since !== undefined && frame.latestSeq < since };
  }

  /** The answer to the continuity check: the held `joined`, as a fresh start if the store was reset. */
  answered(frame: HistoryFrame): VerifiedJoin | null {
    const check = this.check;
    if (!check) return null;
    this.check = null;
    const theirs = frame.messages.find((message): message is ChatFrame => message.type === "chat" && message.seq === check.anchor);
    // No chat there (trimmed) cannot be verified either way: carry on as a normal resume.
    const storeReset = theirs !== undefined && theirs.id !== check.id;
    return { joined: check.joined, since: check.since, storeReset, held: check.held };
  }

  /** Whatever was in flight for this room is answered after its next `joined` or not at all. */
  linkLost(): void {
    this.check = null;
  }
}
