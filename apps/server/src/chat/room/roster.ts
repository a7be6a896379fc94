import { type Role, type RoomRole, rankOf, type StaffRole, type User } from "@chatroom/protocol";
import { nameKeys } from "../../security/name-key";
import { copyUser } from "../frames";
import type { ChatLimits } from "../limits";
import type { RoomSeat, Timers } from "../ports";

/** A user present on this node: its name here and the seat it sits in (null: within its grace). */
interface Member {
  readonly user: User;
  seat: RoomSeat | null;
  leaveTimer: unknown;
  /** Set while the cluster confirms that the member, its grace over, left: the answer applies only to this departure. */
  departure: object | null;
  /** The least role the member's connection holds whatever the room stores (admin, a token's claim). */
  floor: Role;
}

/** Where a member stands: the role the room gave them at admission, and the least their connection holds. */
export interface Standing {
  role: Role;
  floor: Role;
}

/** A role as a user object carries it: absent for a member. */
export function userRoleOf(role: Role): { role?: StaffRole } {
  return role === "member" ? {} : { role };
}

export interface RosterOptions {
  limits: Pick<ChatLimits, "presenceGraceMs" | "maxNameLength">;
  timers: Timers;
  /** A user as members see them changed: joined (before null), left (after null) or renamed; only real changes. */
  onChange(id: string, before: User | null, after: User | null): void;
  /** A member's grace ran out and it left this node; `knownElsewhere`: still present on another node (as the cluster answered, if any). */
  onLeft(user: User, knownElsewhere: boolean): void;
  /**
   * Cluster backends only: records that the user left this node and resolves whether it is still
   * present on another node; never rejects. This node's view of the other nodes comes from the bus
   * and can lag, so the member stays until the answer and members then see one change: the user
   * left, or nothing when it is still elsewhere. Without it, this node's view decides at once.
   */
  confirmDeparture?(user: User): Promise<boolean>;
}

export interface SeatResult {
  /** The user as the room now knows it: the name may differ from the one asked for. */
  user: User;
  /** The seat the user held before, which the caller closes. */
  replaced: RoomSeat | null;
  /** True when the user was not a member of this node before. */
  joined: boolean;
}

/**
 * Who is in the room: members on this node, users on other nodes (cluster backends only; a user
 * may be on both), and which user holds each name (two names clash when they share a `nameKeys` key: `alice`, `аlice`, `aIice`). A member
 * whose seat is released stays for the grace period, so a quick reconnect is silent, and on a
 * cluster until the cluster has said whether it is still on another node, so nobody sees a user
 * leave who is still in the room elsewhere.
 */
export class Roster {
  private readonly members = new Map<string, Member>();
  private readonly remote = new Map<string, User>();
  private readonly holderByName = new Map<string, string>();

  constructor(private readonly options: RosterOptions) {}

  /** Members on this node: when none are left, the room can be retired here. */
  get localCount(): number {
    return this.members.size;
  }

  /** Members on every node. */
  get memberCount(): number {
    let count = this.members.size;
    for (const id of this.remote.keys()) if (!this.members.has(id)) count++;
    return count;
  }

  memberList(max: number): User[] {
    const users: User[] = [];
    for (const member of this.members.values()) {
      if (users.length >= max) break;
      users.push(copyUser(member.user));
    }
    for (const [id, user] of this.remote) {
      if (users.length >= max) break;
      if (!this.members.has(id)) users.push(copyUser(user));
    }
    return users;
  }

  /** On this node: seated, within its grace, or departing. */
  isMember(userId: string): boolean {
    return this.members.has(userId);
  }

  /** Its grace is over and the cluster is asked whether it is still on another node; a new seat cancels the departure. */
  isDeparting(userId: string): boolean {
    return Boolean(this.members.get(userId)?.departure);
  }

  /** The member's user, as a copy. */
  userOf(userId: string): User | undefined {
    const member = this.members.get(userId);
    return member && copyUser(member.user);
  }

  /** The user as members see them: this node's member, else another node's. */
  knownUser(userId: string): User | undefined {
    return this.visibleUser(userId) ?? undefined;
  }

  /** Whether `seat` is the seat its user holds now (not released, not replaced). */
  isSeated(seat: RoomSeat): boolean {
    return this.members.get(seat.userId)?.seat === seat;
  }

  /** An identity for "the same stay": it changes when the member leaves and comes back. */
  stayOf(userId: string): object | undefined {
    return this.members.get(userId);
  }

  /** A user holding `name` or a look-alike of it; `otherThan` skips that user (their own names never clash). */
  holderOf(name: string, otherThan?: string): string | undefined {
    for (const key of nameKeys(name)) {
      const holder = this.holderByName.get(key);
      if (holder !== undefined && holder !== otherThan) return holder;
    }
    return undefined;
  }

  /** The name `requested` would get here: itself, or with the first free ` (n)` suffix. */
  uniqueName(requested: string, userId: string): string {
    if (this.holderOf(requested, userId) === undefined) return requested;
    for (let n = 2; ; n++) {
      const candidate = suffixedName(requested, n, this.options.limits.maxNameLength);
      if (this.holderOf(candidate, userId) === undefined) return candidate;
    }
  }

  /**
   * Seats a user under `name`. A member within its grace period (or replacing its own seat) comes
   * back silently, under `name` if it differs; a new member gets `name` made unique here, since
   * two joiners may have been offered the same free name while the store was busy.
   */
  seat(seat: RoomSeat, name: string, standing: Standing = { role: "member", floor: "member" }): SeatResult {
    const { timers } = this.options;
    const existing = this.members.get(seat.userId);
    if (existing) {
      timers.clearTimeout(existing.leaveTimer);
      existing.leaveTimer = null;
      existing.departure = null;
      const replaced = existing.seat;
      existing.seat = seat;
      existing.floor = standing.floor;
      setRoleOf(existing.user, standing.role);
      if (existing.user.name !== name) this.rename(seat.userId, name);
      return { user: copyUser(existing.user), replaced, joined: false };
    }
    const user: User = { id: seat.userId, name: this.uniqueName(name, seat.userId), ...userRoleOf(standing.role) };
    const before = this.visibleUser(user.id);
    this.members.set(user.id, { user, seat, leaveTimer: null, departure: null, floor: standing.floor });
    this.hold(user.name, user.id);
    // Already present on another node under this name: for the cluster, nobody joined.
    this.changed(user.id, before);
    return { user: copyUser(user), replaced: null, joined: true };
  }

  /** Releases the seat; its member leaves after the grace period unless it comes back. */
  unseat(seat: RoomSeat): void {
    const member = this.members.get(seat.userId);
    if (!member || member.seat !== seat) return;
    member.seat = null;
    member.leaveTimer = this.options.timers.setTimeout(() => this.leave(member), this.options.limits.presenceGraceMs);
  }

  /** The member in `seat` leaves without a grace period (it said so): now, or on a cluster as soon as the cluster answers. */
  leaveNow(seat: RoomSeat): void {
    const member = this.members.get(seat.userId);
    if (!member || member.seat !== seat) return;
    this.options.timers.clearTimeout(member.leaveTimer);
    member.leaveTimer = null;
    member.seat = null;
    this.leave(member);
  }

  /** The seat the user holds on this node now; null within its grace or when not here. */
  seatOf(userId: string): RoomSeat | null {
    return this.members.get(userId)?.seat ?? null;
  }

  /**
   * The room now stores `role` for the user (a `role` event): members see it wherever the user is
   * listed here. A member's connection may hold more (admin), which stays.
   */
  setRole(userId: string, role: RoomRole): void {
    const member = this.members.get(userId);
    if (member) setRoleOf(member.user, rankOf(member.floor) > rankOf(role) ? member.floor : role);
    const remote = this.remote.get(userId);
    if (remote) setRoleOf(remote, role);
  }

  /**
   * The user was taken out of the room (kick, ban): its member on this node leaves now, seated or
   * within its grace, as after a `leave`. The caller has let its seat go.
   */
  expel(userId: string): void {
    const member = this.members.get(userId);
    if (!member) return;
    this.options.timers.clearTimeout(member.leaveTimer);
    member.leaveTimer = null;
    member.seat = null;
    this.leave(member);
  }

  rename(userId: string, name: string): void {
    const member = this.members.get(userId);
    if (!member) return;
    const before = copyUser(member.user);
    this.release(before.name, userId);
    this.hold(name, userId);
    member.user.name = name;
    this.changed(userId, before);
  }

  /** Sets what this node knows of the user on other nodes (null: on none). */
  setRemote(user: User, present: boolean): void {
    const before = this.visibleUser(user.id);
    if (present) this.remote.set(user.id, copyUser(user));
    else this.remote.delete(user.id);
    this.changed(user.id, before);
  }

  isRemote(userId: string): boolean {
    return this.remote.has(userId);
  }

  renameRemote(user: User): void {
    const known = this.remote.get(user.id);
    if (!known) return;
    const before = this.visibleUser(user.id);
    known.name = user.name;
    this.changed(user.id, before);
  }

  /** Who is on other nodes when this node starts serving the room; not announced. */
  seedRemote(users: User[]): void {
    for (const user of users) if (!this.members.has(user.id)) this.remote.set(user.id, copyUser(user));
  }

  /** Cancels every grace timer and ignores the departures still being confirmed, for shutdown. */
  dispose(): void {
    for (const member of this.members.values()) {
      this.options.timers.clearTimeout(member.leaveTimer);
      member.departure = null;
    }
  }

  private hold(name: string, userId: string): void {
    for (const key of nameKeys(name)) this.holderByName.set(key, userId);
  }

  /** Frees the keys of `name` that `userId` holds (another user may hold one of them since). */
  private release(name: string, userId: string): void {
    for (const key of nameKeys(name)) if (this.holderByName.get(key) === userId) this.holderByName.delete(key);
  }

  /** The member goes, at once without a cluster, else once the cluster says whether it is still on another node. */
  private leave(member: Member): void {
    if (member.seat || member.departure) return;
    const { confirmDeparture } = this.options;
    if (!confirmDeparture) {
      this.remove(member, this.remote.has(member.user.id));
      return;
    }
    const departure = {};
    member.departure = departure;
    // Meanwhile the member keeps its place and its name; coming back (`seat`) cancels the departure.
    void confirmDeparture(copyUser(member.user)).then((elsewhere) => {
      if (member.departure === departure) this.remove(member, elsewhere);
    });
  }

  /** Removes the member from this node, as one change: it stays visible iff it is still present `elsewhere`. */
  private remove(member: Member, elsewhere: boolean): void {
    const { user } = member;
    const before = this.visibleUser(user.id);
    this.members.delete(user.id);
    this.release(user.name, user.id);
    if (!elsewhere) this.remote.delete(user.id);
    else if (!this.remote.has(user.id)) this.remote.set(user.id, copyUser(user));
    this.changed(user.id, before);
    this.options.onLeft(copyUser(user), elsewhere);
  }

  /** The user as members see them: this node's member, else another node's, else absent. */
  private visibleUser(id: string): User | null {
    const user = this.members.get(id)?.user ?? this.remote.get(id);
    return user ? copyUser(user) : null;
  }

  /** Tells a change only when members see one: a user on another node that joins here did not join. */
  private changed(id: string, before: User | null): void {
    const after = this.visibleUser(id);
    if (before?.name !== after?.name) this.options.onChange(id, before, after);
  }
}

function setRoleOf(user: User, role: Role): void {
  if (role === "member") delete user.role;
  else user.role = role;
}

/** `name (n)`, with the base cut so the whole still fits the length limit. */
export function suffixedName(requested: string, n: number, maxLength: number): string {
  const suffix = ` (${n})`;
  return `${[...requested]
    .slice(0, maxLength - suffix.length)
    .join("")
    .trimEnd()}${suffix}`;
}
