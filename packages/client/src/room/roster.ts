import type { JoinedFrame, SystemFrame, User } from "@chatroom/protocol";
import type { LogEvent } from "./message-log";

/** What a system frame means for the rest of the room, in the order it happened. */
export interface RosterChange {
  /** Lines for the log, all stamped with the frame's `ts`. */
  events: LogEvent[];
  left: User[];
  renamed: User[];
}

/**
 * Who is in the room: the members `joined` listed, kept current by system frames, and the
 * count. The member list is rebuilt only when it changes, so a chat does not re-render it.
 */
export class Roster {
  private members = new Map<string, User>();
  private count = 0;
  /** Members listed before the last reconnect who are not back yet, and until when their return is quiet. */
  private quietRejoins = new Set<string>();
  private quietRejoinsUntil = 0;
  private cachedList: User[] | null = null;

  constructor(private readonly quietRejoinMs: number) {}

  get list(): User[] {
    this.cachedList ??= [...this.members.values()];
    return this.cachedList;
  }

  get memberCount(): number {
    return this.count;
  }

  /**
   * The `joined` list replaces ours. After a reconnect (`rejoined`), who was listed before and is
   * missing now comes back without a "joined" line for a while.
   */
  joined(frame: JoinedFrame, rejoined: boolean, now: number): void {
    const listedBefore = this.members;
    this.members = new Map(frame.members.map((user) => [user.id, user]));
    this.quietRejoins = new Set(rejoined ? [...listedBefore.keys()].filter((id) => !this.members.has(id)) : []);
    this.quietRejoinsUntil = now + this.quietRejoinMs;
    this.count = frame.memberCount;
    this.cachedList = null;
  }

  /** Applies joins, leaves, renames and the count; returns the log lines and who left or was renamed. */
  applySystem(frame: SystemFrame, meId: string | undefined, now: number): RosterChange {
    const events: LogEvent[] = [];
    for (const user of frame.joined) {
      this.members.set(user.id, user);
      const quiet = this.quietRejoins.delete(user.id) && now < this.quietRejoinsUntil;
      if (user.id !== meId && !quiet) events.push({ kind: "joined", user });
    }
    for (const user of frame.left) {
      this.members.delete(user.id);
      events.push({ kind: "left", user });
    }
    for (const { user, previousName } of frame.renamed) {
      this.members.set(user.id, user);
      events.push({ kind: "renamed", user, previousName });
    }
    if (frame.notice) events.push({ kind: "notice", text: frame.notice });
    this.count = frame.memberCount;
    this.cachedList = null;
    return { events, left: frame.left, renamed: frame.renamed.map(({ user }) => user) };
  }
}
