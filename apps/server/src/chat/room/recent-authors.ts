import type { ChatFrame, User } from "@chatroom/protocol";

/** How many of a room's latest chats say who can be mentioned besides those present (P5 design). */
export const RECENT_CHATS_FOR_MENTIONS = 1_000;

interface Authored {
  seq: number;
  from: User;
}

/**
 * The authors of a room's latest chats, each by the name of their latest chat there: the absent
 * half of who a chat can mention. Read from the store once, when a text first needs it (most
 * chats hold no `@`), and then kept in step with the chats the room fans out, in seq order.
 */
export class RecentAuthors {
  /** Ascending seq, at most `size`. */
  private chats: Authored[] = [];
  private loaded: Promise<void> | null = null;

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

  /** A chat the room fanned out. */
  note(chat: Pick<ChatFrame, "seq" | "from">): void {
    const last = this.chats.at(-1);
    if (last && last.seq >= chat.seq) return;
    this.chats.push({ seq: chat.seq, from: { id: chat.from.id, name: chat.from.name } });
    if (this.chats.length > this.size * 2) this.chats = this.chats.slice(-this.size);
  }

  /** The authors, newest chat first, each once by their latest name. */
  async authors(): Promise<User[]> {
    this.loaded ??= this.options.load(this.size).then(
      (stored) => this.merge(stored),
      (error: unknown) => {
        // Tried again by the next text that needs it.
        this.loaded = null;
        throw error;
      },
    );
    await this.loaded;
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
    this.chats = [...stored.map((chat) => ({ seq: chat.seq, from: { id: chat.from.id, name: chat.from.name } })), ...noted].slice(
      -this.size,
    );
  }
}
