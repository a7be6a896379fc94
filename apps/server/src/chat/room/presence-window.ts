import type { User } from "@chatroom/protocol";
import { copyUser } from "../frames";

interface Change {
  id: string;
  before: User | null;
  after: User | null;
}

export interface PresenceDiff {
  joined: User[];
  left: User[];
  renamed: Array<{ user: User; previousName: string }>;
}

/**
 * The membership changes of one coalescing window, in order, so the window can be told as a
 * diff from any point inside it: from its start for members who were already here, and from
 * their admission for members who joined mid-window, whose `joined` already showed the room as it
 * was then. Only net effects are told: a join then a leave is nothing, a join then a rename is a
 * join under the new name, two renames are one, a leave and a quick return are nothing.
 */
export class PresenceWindow {
  private changes: Change[] = [];

  /** The point the window has reached; `diff(mark)` tells only what changed after it. */
  get mark(): number {
    return this.changes.length;
  }

  get isEmpty(): boolean {
    return this.changes.length === 0;
  }

  /** A user as members see them went from `before` to `after` (null: not in the room). */
  record(id: string, before: User | null, after: User | null): void {
    if (before?.name === after?.name) return;
    this.changes.push({ id, before: before && copyUser(before), after: after && copyUser(after) });
  }

  diff(from = 0): PresenceDiff {
    const initial = new Map<string, User | null>();
    const final = new Map<string, User | null>();
    for (const change of this.changes.slice(from)) {
      if (!initial.has(change.id)) initial.set(change.id, change.before);
      final.set(change.id, change.after);
    }
    const diff: PresenceDiff = { joined: [], left: [], renamed: [] };
    for (const [id, before] of initial) {
      const after = final.get(id) ?? null;
      if (!before && after) diff.joined.push(after);
      else if (before && !after) diff.left.push(before);
      else if (before && after && before.name !== after.name) diff.renamed.push({ user: after, previousName: before.name });
    }
    return diff;
  }

  clear(): void {
    this.changes = [];
  }
}
