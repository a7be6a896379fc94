import type { ServerFrame, ServerFrameOf, WelcomeFrame } from "@chatroom/protocol";
import type { MessageLog } from "./message-log";

/**
 * A resume's welcome held back until the server shows it still has our message at `since`: a store
 * that was reset and refilled past `since` would otherwise splice its new seqs onto our old log.
 */
interface ContinuityCheck {
  welcome: WelcomeFrame;
  since: number;
  /** The `id` of the message we hold at `since`. */
  id: string;
  /** Frames that came after the welcome, replayed once it is applied. */
  held: ServerFrame[];
}

/** What to do with a welcome: apply it now, or first verify that the server's log continues ours at `since`. */
export type WelcomeDecision = { kind: "apply"; since: number | undefined; storeReset: boolean } | { kind: "verify"; since: number };

/** A held welcome, ready to apply once the check came back. */
export interface VerifiedWelcome {
  welcome: WelcomeFrame;
  since: number;
  storeReset: boolean;
  held: ServerFrame[];
}

/** Frames that may pass while a welcome is held: the check's own answer, and what carries no room state. */
const PASS_WHILE_VERIFYING: ReadonlySet<ServerFrame["type"]> = new Set(["history", "error", "pong"]);

/**
 * Resuming a room after a reconnect: which `since` each attempt asked for, and the continuity
 * check that tells a resume from a store reset.
 */
export class Resume {
  /** The `since` of the attempt in flight, to read its welcome. */
  private lastSince: number | undefined;
  private check: ContinuityCheck | null = null;

  /** A new attempt asks for what came after `since`. */
  attempt(since: number | undefined): number | undefined {
    this.lastSince = since;
    return since;
  }

  /** Whether a welcome is held back until its continuity is known. */
  get verifying(): boolean {
    return this.check !== null;
  }

  /** While a welcome is held, nothing of this connection reaches the log: those frames wait. */
  holds(frame: ServerFrame): boolean {
    if (!this.check || PASS_WHILE_VERIFYING.has(frame.type)) return false;
    this.check.held.push(frame);
    return true;
  }

  welcome(frame: WelcomeFrame, log: MessageLog): WelcomeDecision {
    const since = this.lastSince;
    const heldAtSince = since !== undefined && since > 0 && frame.latestSeq >= since ? log.at(since) : undefined;
    if (since !== undefined && heldAtSince) {
      this.check = { welcome: frame, since, id: heldAtSince.id, held: [] };
      return { kind: "verify", since };
    }
    // The server holds less than we do: its store was reset, so our log no longer matches it.
    return { kind: "apply", since, storeReset: since !== undefined && frame.latestSeq < since };
  }

  /** The answer to the continuity check: the held welcome, as a fresh start if the store was reset. */
  answered(frame: ServerFrameOf<"history">): VerifiedWelcome | null {
    const check = this.check;
    if (!check) return null;
    this.check = null;
    const theirs = frame.messages.find((message) => message.seq === check.since);
    // No message there (trimmed) cannot be verified either way: carry on as a normal resume.
    const storeReset = theirs !== undefined && theirs.id !== check.id;
    return { welcome: check.welcome, since: check.since, storeReset, held: check.held };
  }

  /** Whatever was in flight on the old socket is answered on the next one or not at all. */
  linkLost(): void {
    this.check = null;
  }
}
