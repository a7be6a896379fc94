import { BackendClosedError } from "../backend-closed-error";
import { byRoom, type JoinOptions, type JoinOutcome, type Membership, type MembershipStore } from "../membership-store";
import type { MessageStore } from "../message-store";

/**
 * The reference membership store: user -> room -> read marker, in process memory. Counts are read
 * through the `MessageStore` interface, so this defines the semantics without private access.
 * Every check-and-write runs synchronously after the last await, which is what makes the
 * `maxRooms` check atomic in one process.
 */
export class MemoryMembershipStore implements MembershipStore {
  private readonly byUser = new Map<string, Map<string, number>>();

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
    const rooms = this.byUser.get(userId) ?? new Map<string, number>();
    if (rooms.has(room)) return "already";
    if (rooms.size >= options.maxRooms) return "too_many";
    rooms.set(room, latest);
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
    return this.byUser.get(userId)?.get(room);
  }

  async list(userId: string): Promise<Membership[]> {
    this.assertOpen();
    const entries = [...(this.byUser.get(userId) ?? [])];
    const memberships = await Promise.all(entries.map(([room, readSeq]) => this.membership(userId, room, readSeq)));
    return memberships.sort(byRoom);
  }

  async markRead(userId: string, room: string, seq: number): Promise<number | undefined> {
    this.assertOpen();
    const latest = await this.options.messages.latestSeq(room);
    const rooms = this.byUser.get(userId);
    const current = rooms?.get(room);
    if (rooms === undefined || current === undefined) return undefined;
    const stored = Math.max(current, Math.min(seq, latest));
    rooms.set(room, stored);
    return stored;
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

  private async membership(userId: string, room: string, readSeq: number): Promise<Membership> {
    const { messages } = this.options;
    const latestSeq = await messages.latestSeq(room);
    const after = Math.min(readSeq, latestSeq);
    const { messages: unreadEvents } = await messages.range(room, { after, upTo: latestSeq, limit: latestSeq - after });
    const unread = unreadEvents.filter((event) => event.type === "chat" && !event.deleted && event.from.id !== userId).length;
    return { room, latestSeq, readSeq, unread };
  }

  private assertOpen(): void {
    if (!this.options.isOpen()) throw new BackendClosedError();
  }
}
