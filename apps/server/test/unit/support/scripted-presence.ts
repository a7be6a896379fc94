import type { User } from "@chatroom/protocol";
import type { ClusterPresence, NameCandidate } from "../../../src/backend/cluster-presence";

interface PendingLeave {
  userId: string;
  answer(stillPresentElsewhere: boolean): void;
  fail(error: Error): void;
}

/** Cluster presence as a test script: names taken elsewhere, and what `leave` answers (at once, or when the test says). */
export class ScriptedPresence implements ClusterPresence {
  readonly takenElsewhere = new Set<string>();
  readonly joins: NameCandidate[][] = [];
  readonly leaves: string[] = [];
  /** What `leave` answers at once; null: each `leave` waits in `pendingLeaves` for the test to answer it. */
  stillPresentElsewhere: boolean | null = false;
  readonly pendingLeaves: PendingLeave[] = [];

  async join(_room: string, _userId: string, candidates: NameCandidate[]): Promise<string | undefined> {
    this.joins.push(candidates);
    return candidates.find((candidate) => !this.takenElsewhere.has(candidate.folded))?.name;
  }

  leave(_room: string, userId: string): Promise<boolean> {
    this.leaves.push(userId);
    const answer = this.stillPresentElsewhere;
    if (answer !== null) return Promise.resolve(answer);
    return new Promise((resolve, reject) => this.pendingLeaves.push({ userId, answer: resolve, fail: reject }));
  }

  async rename(_room: string, _userId: string, name: NameCandidate): Promise<boolean> {
    return !this.takenElsewhere.has(name.folded);
  }

  async members(): Promise<User[]> {
    return [];
  }

  async rooms(): Promise<Array<{ name: string; memberCount: number }>> {
    return [];
  }
}
