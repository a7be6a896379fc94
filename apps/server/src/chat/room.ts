import { type ChatFrame, encode, type SystemFrame, type User } from "@chatroom/protocol";
import type { ClusterPresence, NameCandidate, PresenceChange } from "../backend/backend";
import type { ChatLimits } from "./limits";
import type { Participant } from "./participant";
import type { ChatLogger, OutboundBatch, Timers } from "./peer";
import { copyUser, type PresenceDiff, PresenceWindow } from "./presence-window";

interface Member {
  user: User;
  participant: Participant | null;
  leaveTimer: unknown;
  typingTimer: unknown;
  /** A throttled `active: true`, delivered when the throttle window ends. */
  typingDeferred: unknown;
}

export type RenameOutcome = "renamed" | "unchanged" | "taken";

/** Fetches stored messages `after < seq <= upTo` to fill a hole in the live stream. */
export type GapFiller = (room: string, after: number, upTo: number) => Promise<ChatFrame[]>;

/**
 * One room on this node: who is present, presence and typing fan-out, and the ordered chat
 * stream. Knows nothing of sockets: it writes pre-encoded frames through `Participant`.
 */
export class Room {
  /** Highest `seq` fanned out here; every lower one has been fanned out too. */
  deliveredSeq: number;
  private readonly members = new Map<string, Member>();
  /** Users present on other nodes (cluster backends only); a user may be here and there too. */
  private readonly remote = new Map<string, User>();
  /** Names claimed in the cluster for connections not admitted yet; released if they never are. */
  private readonly claims = new Map<string, unknown>();
  private readonly holderByName = new Map<string, string>();
  private readonly live: Participant[] = [];
  private outbound: Buffer[] = [];
  private readonly outOfOrder = new Map<number, ChatFrame>();
  private gapFillRunning = false;
  private readonly presenceWindow = new PresenceWindow();
  /** Connections admitted while the window held changes, with the point their welcome reflects. */
  private readonly admittedMidWindow = new Map<Participant, number>();
  private flushTimer: unknown = null;
  private lastFlushAt = Number.NEGATIVE_INFINITY;

  constructor(
    readonly name: string,
    latestSeq: number,
    private readonly limits: ChatLimits,
    private readonly timers: Timers,
    private readonly fillGap: GapFiller,
    private readonly logger: ChatLogger,
    private readonly onEmpty: (room: Room) => void,
    private readonly presence?: ClusterPresence,
    /** Tells the other nodes' members of this node's typists (cluster backends only). */
    private readonly publishTyping?: (user: User, active: boolean) => void,
  ) {
    this.deliveredSeq = latestSeq;
  }

  /** Members on every node. */
  get memberCount(): number {
    let count = this.members.size;
    for (const id of this.remote.keys()) if (!this.members.has(id)) count++;
    return count;
  }

  /** Joins in flight: a room is not retired under a joiner that is still waiting on the store. */
  private reservations = 0;

  reserve(): void {
    this.reservations++;
  }

  unreserve(): void {
    this.reservations--;
    if (this.reservations === 0 && this.members.size === 0) this.onEmpty(this);
  }

  get reserved(): boolean {
    return this.reservations > 0;
  }

  /** Members on this node: when none are left, the room can be retired here. */
  get localMemberCount(): number {
    return this.members.size;
  }

  get connectionCount(): number {
    return this.live.length;
  }

  memberList(max: number): User[] {
    const users: User[] = [];
    for (const member of this.members.values()) {
      if (users.length >= max) break;
      users.push({ id: member.user.id, name: member.user.name });
    }
    for (const [id, user] of this.remote) {
      if (users.length >= max) break;
      if (!this.members.has(id)) users.push(copyUser(user));
    }
    return users;
  }

  /** The name `requested` would get here: itself, or with the first free ` (n)` suffix. */
  uniqueName(requested: string, userId: string): string {
    const holder = this.holderByName.get(foldName(requested));
    if (holder === undefined || holder === userId) return requested;
    const codePoints = [...requested];
    for (let n = 2; ; n++) {
      const candidate = this.suffixed(codePoints, n);
      const other = this.holderByName.get(foldName(candidate));
      if (other === undefined || other === userId) return candidate;
    }
  }

  /**
   * The name the user gets here. On a cluster it is claimed atomically in the shared store (the
   * first free of `requested`, `requested (2)`, ...), which also marks the user present on this
   * node; a claim not followed by `admit` within the grace period is released.
   */
  async claimName(requested: string, userId: string): Promise<string> {
    if (!this.presence) return this.uniqueName(requested, userId);
    const codePoints = [...requested];
    for (let from = 2; from < 10_000; from += 50) {
      const candidates: NameCandidate[] = from === 2 ? [{ name: requested, folded: foldName(requested) }] : [];
      for (let n = from; n < from + 50; n++) {
        const name = this.suffixed(codePoints, n);
        candidates.push({ name, folded: foldName(name) });
      }
      const name = await this.presence.join(this.name, userId, candidates);
      if (name === undefined) continue;
      if (!this.members.has(userId)) {
        this.timers.clearTimeout(this.claims.get(userId));
        this.claims.set(
          userId,
          this.timers.setTimeout(() => {
            this.claims.delete(userId);
            if (!this.members.has(userId)) this.leaveCluster({ id: userId, name }, false);
          }, this.limits.presenceGraceMs),
        );
      }
      return name;
    }
    throw new Error(`no free name like "${requested}" in room ${this.name}`);
  }

  /** `name (n)`, with the base cut so the whole still fits the length limit. */
  private suffixed(codePoints: string[], n: number): string {
    const suffix = ` (${n})`;
    return `${codePoints
      .slice(0, this.limits.maxNameLength - suffix.length)
      .join("")
      .trimEnd()}${suffix}`;
  }

  /** Other nodes' membership changes, folded into this node's coalesced system frames. */
  applyRemote(change: PresenceChange): void {
    for (const user of change.joined) {
      if (this.remote.has(user.id)) continue;
      const before = this.visibleUser(user.id);
      this.remote.set(user.id, copyUser(user));
      this.recordChange(user.id, before);
    }
    for (const user of change.left) {
      const before = this.visibleUser(user.id);
      if (this.remote.delete(user.id)) this.recordChange(user.id, before);
    }
    for (const { user } of change.renamed) {
      const known = this.remote.get(user.id);
      if (!known) continue;
      const before = this.visibleUser(user.id);
      known.name = user.name;
      this.recordChange(user.id, before);
    }
  }

  /** Who is on other nodes when this node starts serving the room. */
  seedRemote(users: User[]): void {
    for (const user of users) if (!this.members.has(user.id)) this.remote.set(user.id, copyUser(user));
  }

  /**
   * Adds a connection. A user still within its grace period (or replacing its own connection)
   * comes back silently; the replaced connection is returned so the caller can close it.
   */
  admit(participant: Participant): Participant | null {
    this.flushOutbound();
    const mark = this.presenceWindow.mark;
    const { user } = participant;
    let member = this.members.get(user.id);
    let replaced: Participant | null = null;
    if (member) {
      this.timers.clearTimeout(member.leaveTimer);
      member.leaveTimer = null;
      replaced = member.participant;
      if (replaced) this.removeLive(replaced);
      if (member.user.name !== user.name) this.applyRename(member, user.name);
    } else {
      // Two joiners may have been offered the same free name while the store was busy.
      user.name = this.uniqueName(user.name, user.id);
      const before = this.visibleUser(user.id);
      member = { user: { id: user.id, name: user.name }, participant: null, leaveTimer: null, typingTimer: null, typingDeferred: null };
      this.members.set(user.id, member);
      this.holderByName.set(foldName(user.name), user.id);
      this.timers.clearTimeout(this.claims.get(user.id));
      this.claims.delete(user.id);
      // Already present on another node under this name: for the cluster, nobody joined.
      this.recordChange(user.id, before);
    }
    // Its welcome shows the room as of `mark`: what changed before is not told to it again.
    if (mark > 0) this.admittedMidWindow.set(participant, mark);
    member.participant = participant;
    this.live.push(participant);
    return replaced;
  }

  /** Removes a connection; its member leaves after the grace period unless it comes back. */
  release(participant: Participant): void {
    const member = this.members.get(participant.user.id);
    if (!member || member.participant !== participant) return;
    member.participant = null;
    this.removeLive(participant);
    this.setTyping(participant, false);
    member.leaveTimer = this.timers.setTimeout(() => this.leave(member), this.limits.presenceGraceMs);
  }

  async rename(participant: Participant, name: string): Promise<RenameOutcome> {
    const member = this.members.get(participant.user.id);
    if (!member) return "unchanged";
    if (member.user.name === name) return "unchanged";
    const holder = this.holderByName.get(foldName(name));
    if (holder !== undefined && holder !== member.user.id) return "taken";
    if (this.presence && !(await this.presence.rename(this.name, member.user.id, { name, folded: foldName(name) }))) return "taken";
    if (this.members.get(participant.user.id) !== member) return "unchanged";
    this.applyRename(member, name);
    participant.user.name = name;
    return "renamed";
  }

  /** Accepts a stored message from any node and fans it out in `seq` order, filling holes. */
  deliver(message: ChatFrame): void {
    if (message.seq <= this.deliveredSeq) return;
    if (message.seq > this.deliveredSeq + 1) {
      this.outOfOrder.set(message.seq, message);
      void this.fillHoles();
      return;
    }
    this.fanOut(message);
    this.drainOutOfOrder();
  }

  /**
   * A client's `typing` frame. At most one `active: true` per throttle window reaches the room, so
   * a client toggling as fast as it can costs the room little; one that comes early is delivered
   * when its window ends rather than dropped, so the room always settles on the typist's latest
   * state (true, false, true in a burst must end as "typing"). A stop goes out at once.
   */
  requestTyping(participant: Participant, active: boolean): void {
    const member = this.members.get(participant.user.id);
    if (!member || member.participant !== participant) return;
    if (!active) {
      this.setTyping(participant, false);
      return;
    }
    this.timers.clearTimeout(member.typingDeferred);
    member.typingDeferred = null;
    const wait = participant.lastTypingAt + this.limits.typingThrottleMs - this.timers.now();
    if (wait > 0) {
      member.typingDeferred = this.timers.setTimeout(() => {
        member.typingDeferred = null;
        if (member.participant === participant) this.startTyping(participant);
      }, wait);
      return;
    }
    this.startTyping(participant);
  }

  private startTyping(participant: Participant): void {
    participant.lastTypingAt = this.timers.now();
    // Already typing: announce it again, so everyone's expiry restarts.
    participant.typing = false;
    this.setTyping(participant, true);
  }

  /** Sets and announces a typing state; a stop (a send, a leave, a timeout) also cancels a deferred start. */
  setTyping(participant: Participant, active: boolean): void {
    const member = this.members.get(participant.user.id);
    if (!active && member) {
      this.timers.clearTimeout(member.typingDeferred);
      member.typingDeferred = null;
    }
    if (participant.typing === active) return;
    participant.typing = active;
    if (member) {
      this.timers.clearTimeout(member.typingTimer);
      member.typingTimer = active ? this.timers.setTimeout(() => this.setTyping(participant, false), this.limits.typingTimeoutMs) : null;
    }
    const frame = encode({ type: "typing", room: this.name, user: { ...participant.user }, active });
    this.flushOutbound();
    for (const other of this.live) if (other !== participant) other.deliver(frame);
    this.publishTyping?.(copyUser(participant.user), active);
  }

  /** A typist on another node, already throttled there; its node also sends the stop (or the client lets it expire). */
  applyRemoteTyping(user: User, active: boolean): void {
    const frame = encode({ type: "typing", room: this.name, user: copyUser(user), active });
    this.flushOutbound();
    for (const participant of this.live) if (participant.user.id !== user.id) participant.deliver(frame);
  }

  /** Sends a server announcement to everyone here, outside the coalescing window. */
  announce(notice: string): void {
    this.broadcast(encode(this.systemFrame([], [], [], notice)));
    this.flushOutbound();
  }

  get participants(): readonly Participant[] {
    return this.live;
  }

  private fanOut(message: ChatFrame): void {
    this.deliveredSeq = message.seq;
    // Encoded once for every recipient: the per-recipient cost is the write alone.
    this.broadcast(Buffer.from(encode(message)));
  }

  /**
   * Queues a frame for everyone here. A group commit resolves many appends in one tick, so the
   * frames of a tick go out together, in order, as one write per recipient.
   */
  private broadcast(data: string | Buffer): void {
    if (this.outbound.length === 0) queueMicrotask(this.flushOutbound);
    this.outbound.push(typeof data === "string" ? Buffer.from(data) : data);
  }

  /** Also runs before the recipient set changes, so each frame reaches exactly who was here when it was fanned out. */
  private readonly flushOutbound = (): void => {
    if (this.outbound.length === 0) return;
    const batch: OutboundBatch = { frames: this.outbound };
    this.outbound = [];
    for (const participant of this.live) participant.deliverBatch(batch);
  };

  private drainOutOfOrder(): void {
    let next = this.outOfOrder.get(this.deliveredSeq + 1);
    while (next) {
      this.outOfOrder.delete(next.seq);
      this.fanOut(next);
      next = this.outOfOrder.get(this.deliveredSeq + 1);
    }
  }

  private async fillHoles(): Promise<void> {
    if (this.gapFillRunning) return;
    this.gapFillRunning = true;
    try {
      while (this.outOfOrder.size > 0) {
        const upTo = Math.min(...this.outOfOrder.keys()) - 1;
        if (upTo <= this.deliveredSeq) {
          this.drainOutOfOrder();
          continue;
        }
        const missing = await this.fillGap(this.name, this.deliveredSeq, upTo);
        if (missing.length === 0) break;
        for (const message of missing) this.deliver(message);
      }
    } catch (error) {
      this.logger.error({ err: error, room: this.name }, "could not fill a gap in the room stream");
    } finally {
      this.gapFillRunning = false;
    }
  }

  private removeLive(participant: Participant): void {
    const index = this.live.indexOf(participant);
    if (index >= 0) {
      this.live[index] = this.live[this.live.length - 1] as Participant;
      this.live.pop();
    }
  }

  private leave(member: Member): void {
    if (member.participant) return;
    this.members.delete(member.user.id);
    if (this.holderByName.get(foldName(member.user.name)) === member.user.id) {
      this.holderByName.delete(foldName(member.user.name));
    }
    const elsewhere = this.remote.has(member.user.id);
    this.recordChange(member.user.id, member.user);
    if (this.presence) this.leaveCluster(member.user, elsewhere);
    if (this.members.size === 0) this.onEmpty(this);
  }

  /**
   * Tells the cluster the user left this node, then corrects what this node believed: the store
   * knows whether the user is still on another node (joins and leaves on other nodes are only
   * announced when a user's first or last node changes, so this node's view can be stale).
   */
  private leaveCluster(user: User, knownElsewhere: boolean): void {
    this.presence?.leave(this.name, user.id).then(
      (stillPresent) => {
        if (stillPresent === knownElsewhere || this.members.has(user.id)) return;
        const before = this.visibleUser(user.id);
        if (stillPresent) this.remote.set(user.id, copyUser(user));
        else this.remote.delete(user.id);
        this.recordChange(user.id, before);
      },
      (error: unknown) => this.logger.warn({ err: error, room: this.name }, "could not record a departure in the cluster"),
    );
  }

  private applyRename(member: Member, name: string): void {
    const before = copyUser(member.user);
    if (this.holderByName.get(foldName(before.name)) === member.user.id) this.holderByName.delete(foldName(before.name));
    this.holderByName.set(foldName(name), member.user.id);
    member.user.name = name;
    this.recordChange(member.user.id, before);
  }

  /** The user as members see them: this node's member, else another node's, else absent. */
  private visibleUser(id: string): User | null {
    const user = this.members.get(id)?.user ?? this.remote.get(id);
    return user ? copyUser(user) : null;
  }

  /** Notes how a user changed for members (if they did) and makes sure the window gets told. */
  private recordChange(id: string, before: User | null): void {
    this.presenceWindow.record(id, before, this.visibleUser(id));
    if (!this.presenceWindow.isEmpty) this.scheduleSystemFlush();
  }

  /** Membership changes go out at most once per `systemFlushMs`, so N joins cost O(N) frames. */
  private scheduleSystemFlush(): void {
    if (this.flushTimer !== null) return;
    const wait = Math.max(0, this.lastFlushAt + this.limits.systemFlushMs - this.timers.now());
    this.flushTimer = this.timers.setTimeout(() => this.flushSystem(), wait);
  }

  /**
   * Tells the window's changes: one frame for everyone who was here when it opened, and for each
   * connection admitted inside it only what changed after its welcome (each frame encoded once).
   */
  private flushSystem(): void {
    this.flushTimer = null;
    this.lastFlushAt = this.timers.now();
    if (this.presenceWindow.isEmpty) return;
    // A room bigger than the welcome's member list is described by its count: a burst there names
    // only its first few users, so a storm of N joins costs O(N) bytes instead of O(N²).
    const max = this.memberCount > this.limits.welcomeMembersMax ? LARGE_ROOM_SYSTEM_ENTRIES : Number.POSITIVE_INFINITY;
    const batchFor = (diff: PresenceDiff): OutboundBatch | null =>
      diff.joined.length + diff.left.length + diff.renamed.length === 0
        ? null
        : {
            frames: [Buffer.from(encode(this.systemFrame(diff.joined.slice(0, max), diff.left.slice(0, max), diff.renamed.slice(0, max))))],
          };
    const batches = new Map<number, OutboundBatch | null>([[0, batchFor(this.presenceWindow.diff())]]);
    this.flushOutbound();
    for (const participant of this.live) {
      const mark = this.admittedMidWindow.get(participant) ?? 0;
      let batch = batches.get(mark);
      if (batch === undefined) {
        batch = batchFor(this.presenceWindow.diff(mark));
        batches.set(mark, batch);
      }
      if (batch) participant.deliverBatch(batch);
    }
    this.presenceWindow.clear();
    this.admittedMidWindow.clear();
  }

  private systemFrame(joined: User[], left: User[], renamed: Array<{ user: User; previousName: string }>, notice?: string): SystemFrame {
    const frame: SystemFrame = {
      type: "system",
      room: this.name,
      ts: this.timers.now(),
      joined: joined.map(copyUser),
      left: left.map(copyUser),
      renamed: renamed.map((entry) => ({ user: copyUser(entry.user), previousName: entry.previousName })),
      memberCount: this.memberCount,
    };
    if (notice !== undefined) frame.notice = notice;
    return frame;
  }

  /** Cancels every timer, for shutdown. */
  dispose(): void {
    this.timers.clearTimeout(this.flushTimer);
    this.admittedMidWindow.clear();
    for (const claim of this.claims.values()) this.timers.clearTimeout(claim);
    for (const member of this.members.values()) {
      this.timers.clearTimeout(member.leaveTimer);
      this.timers.clearTimeout(member.typingTimer);
      this.timers.clearTimeout(member.typingDeferred);
    }
  }
}

/** How many users a system frame names per change kind once a room outgrows its member list. */
const LARGE_ROOM_SYSTEM_ENTRIES = 10;

/** Names that differ only in case are the same name, so nobody can pose as "Alice" next to "alice". */
function foldName(name: string): string {
  return name.toLowerCase();
}
