import type { NotifyLevel } from "@chatroom/protocol";
import { BackendClosedError } from "../backend-closed-error";
import { mentionsUser } from "../chat-state";
import {
  byRoom,
  type JoinOptions,
  type JoinOutcome,
  type Membership,
  type MembershipStore,
  NEW_MEMBERSHIP_NOTIFY,
} from "../membership-store";
import type { MessageStore } from "../message-store";

/** What one membership holds: the read marker and the notification level. */
interface Held {
  readSeq: number;
  notify: NotifyLevel;
}

/**
 * The reference membership store: user -> room -> read marker and level, in process memory. Counts
 * are read through the `MessageStore` interface, so this defines the semantics without private
 * access. Every check-and-write runs synchronously after the last await, which is what makes the
 * `maxRooms` check atomic in one process.
 */
export class MemoryMembershipStore implements MembershipStore {
  private readonly byUser = new Map<string, Map<string, Held>>();

  constructor(
    private readonly options: {
      /** Read lazily (a getter or delegate), so a backend subclass that swaps its store is honoured. */
      messages: Pick<MessageStore, "latestSeq" | "range">;
      isOpen: () => boolean;
    },
  ) {}

  async join(userId: string, room: string, options: JoinOptions): Promise<JoinOutcome> {
    this.assertOpen();
    // Accepted before close, so it completes, as a write queued before close does elsewhere.
    const latest = await this.options.messages.latestSeq(room);
    const rooms = this.byUser.get(userId) ?? new Map<string, Held>();
    if (rooms.has(room)) return "already";
    if (rooms.size >= options.maxRooms) return "too_many";
    rooms.set(room, { readSeq: latest, notify: NEW_MEMBERSHIP_NOTIFY });
    this.byUser.set(userId, rooms);
    return "joined";
  }

  async leave(userId: string, room: string): Promise<boolean> {
    this.assertOpen();
    const rooms = this.byUser.get(userId);
    const left = rooms?.delete(room) ?? false;
    if (rooms?.size === 0) this.byUser.delete(userId);
    return left;
  }

  async readSeq(userId: string, room: string): Promise<number | undefined> {
    this.assertOpen();
    return this.byUser.get(userId)?.get(room)?.readSeq;
  }

  async list(userId: string): Promise<Membership[]> {
    this.assertOpen();
    const entries = [...(this.byUser.get(userId) ?? [])];
    const memberships = await Promise.all(entries.map(([room, held]) => this.counted(userId, room, held)));
    return memberships.sort(byRoom);
  }

  async membership(userId: string, room: string, upTo?: number): Promise<Membership | undefined> {
    this.assertOpen();
    const held = this.byUser.get(userId)?.get(room);
    return held && this.counted(userId, room, { ...held }, upTo);
  }

  async setNotify(userId: string, room: string, level: NotifyLevel): Promise<boolean> {
    this.assertOpen();
    const held = this.byUser.get(userId)?.get(room);
    if (held) held.notify = level;
    return held !== undefined;
  }

  async memberCount(room: string): Promise<number> {
    this.assertOpen();
    let count = 0;
    for (const rooms of this.byUser.values()) if (rooms.has(room)) count++;
    return count;
  }

  async markRead(userId: string, room: string, seq: number): Promise<number | undefined> {
    this.assertOpen();
    const latest = await this.options.messages.latestSeq(room);
    const held = this.byUser.get(userId)?.get(room);
    if (held === undefined) return undefined;
    held.readSeq = Math.max(held.readSeq, Math.min(seq, latest));
    return held.readSeq;
  }

  /** Whether any user holds a membership of `room` (synchronous: the access state asks inside its step). */
  hasMembers(room: string): boolean {
    for (const rooms of this.byUser.values()) if (rooms.has(room)) return true;
    return false;
  }

  /** Drops a membership at once (a kick or a ban, inside the access step). */
  forget(userId: string, room: string): void {
    const rooms = this.byUser.get(userId);
    rooms?.delete(room);
    if (rooms?.size === 0) this.byUser.delete(userId);
  }

  private async counted(userId: string, room: string, held: Held, upTo?: number): Promise<Membership> {
    const { messages } = this.options;
    const latestSeq = await messages.latestSeq(room);
    const end = Math.min(upTo ?? latestSeq, latestSeq);
    const after = Math.min(held.readSeq, end);
    const { messages: unreadEvents } = await messages.range(room, { after, upTo: end, limit: end - after });
    let unread = 0;
    let unreadMentions = 0;
    for (const event of unreadEvents) {
      if (event.type !== "chat" || event.deleted || event.from.id === userId) continue;
      unread++;
      if (mentionsUser(event, userId)) unreadMentions++;
    }
    return { room, latestSeq, readSeq: held.readSeq, unread, unreadMentions, notify: held.notify };
  }

  private assertOpen(): void {
    if (!this.options.isOpen()) throw new BackendClosedError();
  }
}
