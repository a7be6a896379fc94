import type { ChatFrame, User } from "@chatroom/protocol";

/** How many of a room's latest chats say who can be mentioned besides those present (P5 design). */
export const RECENT_CHATS_FOR_MENTIONS = 1_000;

interface Authored {
  seq: number;
  from: User;
}

/**
 * The authors of a room's latest chats, each by the name of their latest chat there: the absent
 * half of who a chat can mention. Read from the store when the room starts on this node, then kept
 * in step with the chats the room fans out, in seq order. Reading it is synchronous, so resolving
 * a chat's mentions never delays its append behind frames sent after it.
 */
export class RecentAuthors {
  /** Ascending seq; trimmed to `size` now and then. */
  private chats: Authored[] = [];
  private loading: Promise<void> | null = null;
  private loaded = false;

  constructor(
    private readonly options: {
      /** The room's newest `limit` chats up to what it has fanned out, oldest first. */
      load(limit: number): Promise<ChatFrame[]>;
      size?: number;
    },
  ) {}

  private get size(): number {
    return this.options.size ?? RECENT_CHATS_FOR_MENTIONS;
  }

  /** Reads the stored chats once (again after a failure); chats noted meanwhile are kept. */
  load(): Promise<void> {
    if (this.loaded) return Promise.resolve();
    this.loading ??= this.options
      .load(this.size)
      .then((stored) => {
        this.merge(stored);
        this.loaded = true;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }

  /** A chat the room fanned out. */
  note(chat: Pick<ChatFrame, "seq" | "from">): void {
    const last = this.chats.at(-1);
    if (last && last.seq >= chat.seq) return;
    this.chats.push({ seq: chat.seq, from: { id: chat.from.id, name: chat.from.name } });
    if (this.chats.length > this.size * 2) this.chats = this.chats.slice(-this.size);
  }

  /** The authors known now, newest chat first, each once by their latest name. */
  list(): User[] {
    const seen = new Set<string>();
    const authors: User[] = [];
    for (const chat of this.chats.slice(-this.size).reverse()) {
      if (seen.has(chat.from.id)) continue;
      seen.add(chat.from.id);
      authors.push({ ...chat.from });
    }
    return authors;
  }

  /** The stored chats, then those noted while they were read that are newer. */
  private merge(stored: readonly ChatFrame[]): void {
    const newest = stored.at(-1)?.seq ?? 0;
    const noted = this.chats.filter((chat) => chat.seq > newest);
    const read = stored.map((chat) => ({ seq: chat.seq, from: { id: chat.from.id, name: chat.from.name } }));
    this.chats = [...read, ...noted].slice(-this.size);
  }
}
