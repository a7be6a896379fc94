import { type JoinedFrame, type ModerationEvent, type Role, rankOf, type StaffRole, type User } from "@chatroom/protocol";

/** Where this user stands in a room, and the room's rules: what the page needs to decide what to offer. */
export interface RoomAccess {
  /** Our effective role here (`joined.role`, then the role events about us). */
  role: Role;
  private: boolean;
  locked: boolean;
  /** The least time between our chats; 0: off. Staff are exempt. */
  slowModeMs: number;
  /** Absent: not muted. A timestamp: muted until then. null: muted for good. */
  mutedUntil?: number | null;
  /** The room's stored staff, by user id, for badges (a user object's own `role` counts as well). */
  staff: ReadonlyMap<string, StaffRole>;
  /** When our latest chat here was stored, for slow mode's countdown; 0 when none is known. */
  lastOwnChatAt: number;
  /** The seq this state reflects every event up to (the `joined`'s latestSeq, then each event applied). */
  throughSeq: number;
}

export const INITIAL_ACCESS: RoomAccess = {
  role: "member",
  private: false,
  locked: false,
  slowModeMs: 0,
  staff: new Map(),
  lastOwnChatAt: 0,
  throughSeq: 0,
};

/**
 * One room's access state, owned here and changed only by `joined` (a snapshot as of its
 * `latestSeq`) and by moderation events above that seq, each applied exactly once and in seq
 * order: an event at or below `throughSeq` is already in the snapshot (a resume's page, a gap
 * page), and one above a seq not yet covered waits until the history sync fills the hole, as a
 * change to a chat does. The state object is replaced on every change, so the snapshot can keep
 * it while nothing changed.
 */
export class RoomAccessState {
  private current: RoomAccess = INITIAL_ACCESS;
  /** Events above `throughSeq` that wait for the seqs below them, by seq. */
  private waiting: ModerationEvent[] = [];
  /** We hold the server admin's key: our role is admin whatever a room says. */
  private admin = false;

  constructor(private readonly meId: () => string | undefined) {}

  get state(): RoomAccess {
    return this.current;
  }

  /** `ready.admin`: every room treats us as the server admin. */
  setAdmin(admin: boolean): void {
    this.admin = admin;
    if (admin && this.current.role !== "admin") this.current = { ...this.current, role: "admin" };
  }

  /** The room's `joined`: the whole state as of its `latestSeq`. */
  joined(frame: JoinedFrame): void {
    const staff = new Map<string, StaffRole>(frame.staff.map((user) => [user.id, user.role]));
    this.current = {
      role: this.admin ? "admin" : frame.role,
      private: frame.private,
      locked: frame.locked,
      slowModeMs: frame.slowModeMs,
      ...(frame.mutedUntil !== undefined ? { mutedUntil: frame.mutedUntil } : {}),
      staff,
      lastOwnChatAt: this.current.lastOwnChatAt,
      throughSeq: frame.latestSeq,
    };
    this.waiting = this.waiting.filter((event) => event.seq > frame.latestSeq);
  }

  /**
   * Moderation events that reached the log (live, a resume, a page), then every waiting one whose
   * seqs below are all covered. `covered(from, to)`: whether the log covers every seq in between.
   * Returns whether the state changed.
   */
  offer(events: readonly ModerationEvent[], covered: (from: number, to: number) => boolean): boolean {
    for (const event of events) {
      if (event.seq <= this.current.throughSeq || this.waiting.some((held) => held.seq === event.seq)) continue;
      this.waiting.push(event);
    }
    this.waiting.sort((a, b) => a.seq - b.seq);
    const before = this.current;
    while (this.waiting.length > 0) {
      const next = this.waiting[0] as ModerationEvent;
      if (next.seq > this.current.throughSeq + 1 && !covered(this.current.throughSeq + 1, next.seq - 1)) break;
      this.waiting.shift();
      this.current = { ...applyModeration(this.current, next, this.meId()), throughSeq: next.seq };
    }
    return this.current !== before;
  }

  /**
   * The server refused one of our sends with `muted` (`retryAfterMs` when timed) or `locked`: the
   * room is so now, even if its event has not reached us yet (the next `joined` or event settles it).
   */
  refused(code: "muted" | "locked", retryAfterMs: number | undefined, now: number): void {
    if (code === "locked") {
      if (!this.current.locked) this.current = { ...this.current, locked: true };
      return;
    }
    this.current = { ...this.current, mutedUntil: retryAfterMs !== undefined ? now + retryAfterMs : null };
  }

  /** One of our chats was stored at `ts`: slow mode counts from it. */
  ownChatStored(ts: number): void {
    if (ts > this.current.lastOwnChatAt) this.current = { ...this.current, lastOwnChatAt: ts };
  }

  /** After a store reset nothing of the old seqs holds. */
  reset(): void {
    this.waiting = [];
  }
}

/** What one moderation event does to the access state. Pure. */
export function applyModeration(state: RoomAccess, event: ModerationEvent, meId: string | undefined): RoomAccess {
  const aboutMe = "user" in event && event.user.id === meId;
  switch (event.action) {
    case "create":
      return { ...state, private: event.private, staff: withStaff(state.staff, event.by, "owner") };
    case "mute":
      return aboutMe ? { ...state, mutedUntil: event.until ?? null } : state;
    case "unmute": {
      if (!aboutMe) return state;
      const { mutedUntil: _ended, ...rest } = state;
      return rest;
    }
    case "slow-mode":
      return { ...state, slowModeMs: event.intervalMs };
    case "lock":
      return { ...state, locked: event.locked };
    case "role": {
      const staff = withStaff(state.staff, event.user, event.role === "member" ? undefined : event.role);
      // The admin key outranks whatever a room gives or takes.
      const role = aboutMe && state.role !== "admin" ? event.role : state.role;
      return { ...state, staff, role };
    }
    case "kick":
    case "ban":
    case "unban":
    case "rename":
      // A kick or ban of us arrives as `left`; a rename shows in the roster. Nothing here changes.
      return state;
  }
}

function withStaff(staff: ReadonlyMap<string, StaffRole>, user: User, role: StaffRole | undefined): ReadonlyMap<string, StaffRole> {
  if (staff.get(user.id) === role) return staff;
  const next = new Map(staff);
  if (role === undefined) next.delete(user.id);
  else next.set(user.id, role);
  return next;
}

/** A user's role as this room knows it: the staff map, else what the user object says, else member. */
export function roleOf(access: RoomAccess, user: Pick<User, "id" | "role">): Role {
  return access.staff.get(user.id) ?? user.role ?? "member";
}

/** Staff: moderator and up. */
export function isStaff(role: Role): boolean {
  return rankOf(role) >= rankOf("moderator");
}

/** The rank rule: an actor acts on a user only if it ranks strictly higher. */
export function outranks(actor: Role, target: Role): boolean {
  return rankOf(actor) > rankOf(target);
}
