import { type ChatFrame, encode, type ModerationEvent, type RoomEvent, rankOf, type User } from "@chatroom/protocol";
import type { ClusterPresence, PresenceChange } from "../../backend/cluster-presence";
import type { ChatDeps } from "../deps";
import type { Removal, RoomSeat } from "../ports";
import { Broadcaster } from "./broadcaster";
import { ClusterSync } from "./cluster-sync";
import { type GapFiller, OrderedStream } from "./ordered-stream";
import { RecentAuthors } from "./recent-authors";
import { Roster, type SeatResult, type Standing } from "./roster";
import { SystemFlush } from "./system-flush";
import { Typing } from "./typing";

export type RenameOutcome = "renamed" | "unchanged" | "taken";

export type AdmitResult = Omit<SeatResult, "joined">;

/** How many recent removals (kick, ban) a room remembers, for joins that raced them. */
const REMEMBERED_REMOVALS = 1_000;

export interface RoomOptions {
  name: string;
  /** The room's latest stored `seq` when this node starts serving it. */
  latestSeq: number;
  deps: Pick<ChatDeps, "limits" | "timers" | "logger">;
  fillGap: GapFiller<RoomEvent>;
  /** The room's newest `limit` chats with `seq <= upTo`, oldest first: who recently wrote, for mentions. */
  loadChats(upTo: number, limit: number): Promise<ChatFrame[]>;
  /** The room has no members, seats or joins in flight left here: the caller may retire it. */
  onEmpty(room: Room): void;
  /** Cluster backends only: shared presence, and how this node's typists reach the other nodes. */
  cluster?: { presence: ClusterPresence; publishTyping(user: User, active: boolean): void };
}

/**
 * One room on this node. A coordinator: the roster knows who is here, the ordered stream puts
 * events in `seq` order, the broadcaster fans them out, typing and the system flush tell the
 * rest. Knows nothing of sockets: it reaches connections through their `RoomSeat`.
 */
export class Room {
  readonly name: string;
  private readonly roster: Roster;
  private readonly stream: OrderedStream<RoomEvent>;
  private readonly broadcaster = new Broadcaster();
  private readonly typing: Typing;
  private readonly system: SystemFlush;
  private readonly cluster: ClusterSync | undefined;
  private readonly recentAuthors: RecentAuthors;
  /** Joins in flight: a room is not retired under a joiner that is still waiting on the store. */
  private reservations = 0;
  /** Recent kicks and bans by user, with their seq: a join admitted before one but seated after it is undone. */
  private readonly removals = new Map<string, Removal & { seq: number }>();
  /** Members only; set from the store at every admission (a room's privacy never changes once made). */
  private privateRoom = false;

  constructor(private readonly options: RoomOptions) {
    const { name, deps } = options;
    const { limits, timers, logger } = deps;
    this.name = name;
    this.system = new SystemFlush({ room: name, limits, timers, broadcaster: this.broadcaster, memberCount: () => this.memberCount });
    this.roster = new Roster({
      limits,
      timers,
      onChange: (id, before, after) => this.system.record(id, before, after),
      onLeft: () => {
        if (this.roster.localCount === 0) options.onEmpty(this);
      },
      // `this.cluster` is made just below, before any member can leave.
      confirmDeparture: options.cluster && ((user) => (this.cluster as ClusterSync).confirmDeparture(user)),
    });
    this.stream = new OrderedStream({
      deliveredSeq: options.latestSeq,
      fillGap: options.fillGap,
      // Encoded once for every recipient: the per-recipient cost is the write alone. A moderation
      // event takes effect here, as it passes in order, on every node that serves the room.
      emit: (event) => {
        this.broadcaster.broadcast(Buffer.from(encode(event)));
        if (event.type === "chat") this.recentAuthors.note(event);
        if (event.type === "moderation") this.applyModeration(event);
      },
      onFillError: (error) => logger.error({ err: error, room: name }, "could not fill a gap in the room stream"),
    });
    this.recentAuthors = new RecentAuthors({ load: (limit) => options.loadChats(this.stream.deliveredSeq, limit) });
    this.typing = new Typing({
      room: name,
      limits,
      timers,
      userOf: (seat) => this.roster.userOf(seat.userId),
      send: (frame, skip) => this.broadcaster.sendNow(frame, skip),
      ...(options.cluster ? { publish: options.cluster.publishTyping } : {}),
    });
    this.cluster =
      options.cluster && new ClusterSync({ room: name, presence: options.cluster.presence, roster: this.roster, limits, timers, logger });
  }

  /** Highest `seq` fanned out here; every lower one has been fanned out too. */
  get deliveredSeq(): number {
    return this.stream.deliveredSeq;
  }

  /** Members on every node. */
  get memberCount(): number {
    return this.roster.memberCount;
  }

  /** Members on this node: when none are left, the room can be retired here. */
  get localMemberCount(): number {
    return this.roster.localCount;
  }

  get seatCount(): number {
    return this.broadcaster.recipients.length;
  }

  get reserved(): boolean {
    return this.reservations > 0;
  }

  reserve(): void {
    this.reservations++;
  }

  unreserve(): void {
    this.reservations--;
    if (this.reservations === 0 && this.roster.localCount === 0) this.options.onEmpty(this);
  }

  get private(): boolean {
    return this.privateRoom;
  }

  /** What the store said of the room at an admission. */
  markPrivate(value: boolean): void {
    this.privateRoom = value;
  }

  memberList(max: number): User[] {
    return this.roster.memberList(max);
  }

  /**
   * Who a chat here can mention, in the order names win: the members present now (on every node),
   * then the authors of the room's recent chats, newest first (mention-resolver.ts).
   */
  async mentionDirectory(): Promise<User[]> {
    const authors = await this.recentAuthors.authors();
    return [...this.roster.memberList(Number.POSITIVE_INFINITY), ...authors];
  }

  /** Sends a frame now, after what is queued, to the user's seats here (every tab of theirs in the room). */
  sendToUser(userId: string, frame: string): void {
    this.broadcaster.sendNow(frame, (seat) => seat.userId !== userId);
  }

  /** The user in `seat`, as the room knows it now. */
  userOf(seat: RoomSeat): User | undefined {
    return this.roster.userOf(seat.userId);
  }

  /** The user as members see them here: a member on this node, else on another node. */
  knownUser(userId: string): User | undefined {
    return this.roster.knownUser(userId);
  }

  /** The name the user gets here: `requested`, or it with a free ` (n)` suffix (claimed cluster-wide on a cluster). */
  claimName(requested: string, userId: string): Promise<string> {
    if (this.cluster) return this.cluster.claimName(requested, userId);
    return Promise.resolve(this.roster.uniqueName(requested, userId));
  }

  /**
   * Seats a connection under `name`. A user still within its grace period (or replacing its own
   * connection) comes back silently; the replaced seat is returned so the caller can close it.
   * Everything fanned out from here on reaches the seat, after its `joined`.
   */
  admit(seat: RoomSeat, name: string, standing?: Standing): AdmitResult {
    this.broadcaster.flush();
    const mark = this.system.mark;
    const { user, replaced } = this.roster.seat(seat, name, standing);
    // Also for a departing member that came back: its claim no longer expires.
    this.cluster?.admitted(user.id);
    if (replaced) {
      this.broadcaster.remove(replaced);
      this.typing.forget(replaced);
    }
    this.system.admitted(seat, mark);
    this.broadcaster.add(seat);
    return { user, replaced };
  }

  /** Removes a seat; its member leaves after the grace period unless it comes back. */
  release(seat: RoomSeat): void {
    if (!this.roster.isSeated(seat)) return;
    this.broadcaster.remove(seat);
    this.typing.forget(seat);
    this.roster.unseat(seat);
  }

  /** Removes a seat whose member left on purpose: the room sees it leave now, with no grace period. */
  leave(seat: RoomSeat): void {
    if (!this.roster.isSeated(seat)) return;
    this.broadcaster.remove(seat);
    this.typing.forget(seat);
    this.roster.leaveNow(seat);
  }

  /**
   * A kick or ban of the user that passed through the room after `seq` (the room's seq when the
   * store admitted them): a join that raced it was admitted before it and seated after it.
   */
  removalAfter(userId: string, seq: number): Removal | undefined {
    const removal = this.removals.get(userId);
    return removal && removal.seq > seq ? { reason: removal.reason, by: removal.by } : undefined;
  }

  /** Takes the seat's user out of the room now, as a kick or ban passing through does. */
  expel(seat: RoomSeat, removal: Removal): void {
    if (this.roster.isSeated(seat)) {
      this.broadcaster.remove(seat);
      this.typing.forget(seat);
    }
    this.roster.expel(seat.userId);
    seat.removed(removal);
  }

  /** Sends a frame now to the seats of staff here (moderators, owners, admins): reports. */
  sendToStaff(frame: string): void {
    this.broadcaster.sendNow(frame, (seat) => rankOf(this.roster.userOf(seat.userId)?.role ?? "member") < rankOf("moderator"));
  }

  /** Whether another user here (on any node this one knows of) holds `name`. */
  nameTakenByOther(name: string, userId: string): boolean {
    return this.roster.holderOf(name, userId) !== undefined;
  }

  /** Sends what this tick fanned out so far, so a reply written next comes after it. */
  flush(): void {
    this.broadcaster.flush();
  }

  async rename(seat: RoomSeat, name: string): Promise<RenameOutcome> {
    const user = this.roster.userOf(seat.userId);
    if (!user || user.name === name) return "unchanged";
    if (this.roster.holderOf(name, user.id) !== undefined) return "taken";
    const stay = this.roster.stayOf(user.id);
    if (this.cluster && !(await this.cluster.rename(user.id, name))) return "taken";
    if (this.roster.stayOf(user.id) !== stay) return "unchanged";
    this.roster.rename(user.id, name);
    return "renamed";
  }

  /** Accepts a stored event of any kind from any node and fans it out in `seq` order, filling holes. */
  deliver(event: RoomEvent): void {
    this.stream.accept(event);
  }

  /** Events up to `latestSeq` are stored; any this node missed are read back and fanned out. */
  catchUp(latestSeq: number): void {
    this.stream.catchUp(latestSeq);
  }

  requestTyping(seat: RoomSeat, active: boolean): void {
    if (this.roster.isSeated(seat)) this.typing.request(seat, active);
  }

  stopTyping(seat: RoomSeat): void {
    this.typing.stop(seat);
  }

  applyRemoteTyping(user: User, active: boolean): void {
    this.typing.applyRemote(user, active);
  }

  /** Other nodes' membership changes, folded into this node's coalesced system frames. */
  applyRemote(change: PresenceChange): void {
    this.cluster?.apply(change);
  }

  /** Who is on other nodes when this node starts serving the room. */
  seedRemote(users: User[]): void {
    this.roster.seedRemote(users);
  }

  /** Sends a server announcement to everyone here, outside the coalescing window. */
  announce(notice: string): void {
    this.system.announce(notice);
  }

  /**
   * What a moderation event does to the room on this node, in seq order: a kicked or banned user's
   * seat leaves now (after the event, which it receives), a role shows on the member, a renamed
   * user's connection renames them. The store has already changed the state; this is presence.
   */
  private applyModeration(event: ModerationEvent): void {
    switch (event.action) {
      case "kick":
      case "ban": {
        const removal: Removal = { reason: event.action === "kick" ? "kicked" : "banned", by: event.by };
        this.rememberRemoval(event.user.id, { ...removal, seq: event.seq });
        const seat = this.roster.seatOf(event.user.id);
        if (seat) this.expel(seat, removal);
        else this.roster.expel(event.user.id);
        return;
      }
      case "role":
        this.roster.setRole(event.user.id, event.role);
        return;
      case "rename": {
        const seat = this.roster.seatOf(event.user.id);
        // Seated here: its connection renames the user in every room, and the session, as its own
        // rename would. Within its grace: this room's view changes; other nodes follow their own seats.
        if (seat) seat.renamedBy(event.name);
        else if (this.roster.isMember(event.user.id)) this.roster.rename(event.user.id, event.name);
        return;
      }
      default:
        return;
    }
  }

  private rememberRemoval(userId: string, removal: Removal & { seq: number }): void {
    this.removals.delete(userId);
    this.removals.set(userId, removal);
    if (this.removals.size > REMEMBERED_REMOVALS) {
      const oldest = this.removals.keys().next();
      if (!oldest.done) this.removals.delete(oldest.value);
    }
  }

  /** Cancels every timer, for shutdown. */
  dispose(): void {
    this.system.dispose();
    this.cluster?.dispose();
    this.roster.dispose();
    this.typing.dispose();
  }
}
