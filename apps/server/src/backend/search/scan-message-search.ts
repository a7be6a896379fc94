import { type MessageSearch, SEARCH_DEFAULTS, type SearchCandidate, type SearchPage, type SearchRequest } from "../message-search";
import type { MessageStore } from "../message-store";
import { hitOf } from "./collector";
import { matchesSearch } from "./matcher";
import { compareSearchPositions, isAfter, positionOf } from "./order";

/**
 * Search with no index: every readable room's retained chats, read newest-first through the
 * store's own pages, through the one matcher, then sorted into the one order. The memory store
 * (the reference) uses it, and PostgreSQL until its indexed search lands; its cost grows with the
 * history of the user's rooms.
 */
export class ScanMessageSearch implements MessageSearch {
  constructor(
    private readonly messages: Pick<MessageStore, "latestSeq" | "before">,
    private readonly pageSize: number = SEARCH_DEFAULTS.scanPageSize,
  ) {}

  async search(request: SearchRequest): Promise<SearchPage> {
    const rooms = new Set(request.rooms);
    const matched: SearchCandidate[] = [];
    for (const room of rooms) {
      for await (const candidate of this.chatsOf(room)) {
        if (isAfter(candidate, request.after) && matchesSearch(request.query, rooms, candidate)) matched.push(candidate);
      }
    }
    matched.sort(compareSearchPositions);
    const hits = matched.slice(0, request.limit);
    const last = hits[hits.length - 1];
    return {
      hits: hits.map((candidate) => hitOf(candidate, request.query)),
      ...(matched.length > request.limit && last ? { next: positionOf(last) } : {}),
    };
  }

  /** The room's chats that have text, newest first. */
  private async *chatsOf(room: string): AsyncGenerator<SearchCandidate> {
    let before = (await this.messages.latestSeq(room)) + 1;
    for (;;) {
      const page = await this.messages.before(room, before, this.pageSize);
      for (let i = page.messages.length - 1; i >= 0; i--) {
        const chat = page.messages[i];
        if (chat?.text === undefined || chat.deleted) continue;
        yield { room, seq: chat.seq, ts: chat.ts, from: chat.from, text: chat.text };
      }
      const oldest = page.messages[0];
      if (!page.hasOlder || !oldest) return;
      before = oldest.seq;
    }
  }
}
