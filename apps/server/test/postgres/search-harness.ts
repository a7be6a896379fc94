import type { ChatFrame, User } from "@chatroom/protocol";
import type pg from "pg";
import type { Backend } from "../../src/backend/backend";
import type { MessageSearch } from "../../src/backend/message-search";
import type { AppendResult, ChangeRequest } from "../../src/backend/message-store";
import { writeSearchDocs } from "../../src/backend/postgres/search-docs";

/**
 * Just enough of a PostgreSQL message store for the search tests, until `PgBackend` exists: each
 * append takes the room's next seq from `rooms` (chats, edits and deletions alike, as every store
 * does, so seqs match the memory store's), writes the `chats` row as the real store does, and
 * calls `writeSearchDocs` in the same transaction. No access checks, no events, no dedupe: the
 * search under test only reads `chats` and `search_docs`.
 */
export class SearchTestStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly now: () => number,
  ) {}

  /** The parts of `Backend` the search contract uses: `messages.append` and `search`. */
  backend(search: MessageSearch): Backend {
    return { messages: { append: (request: ChangeRequest) => this.append(request) }, search } as unknown as Backend;
  }

  async append(request: ChangeRequest): Promise<AppendResult> {
    const client = await this.pool.connect();
    try {
      await client.query("BEGIN");
      const result = await this.appendIn(client, request);
      await client.query("COMMIT");
      return result;
    } catch (error) {
      await client.query("ROLLBACK").catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  private async appendIn(client: pg.PoolClient, request: ChangeRequest): Promise<AppendResult> {
    const { room, actor, clientMsgId } = request;
    const ts = this.now();
    const { rows } = await client.query<{ seq: number }>(
      "INSERT INTO rooms (room, seq) VALUES ($1, 1) ON CONFLICT (room) DO UPDATE SET seq = rooms.seq + 1 RETURNING seq",
      [room],
    );
    const seq = (rows[0] as { seq: number }).seq;
    const ack = { clientMsgId, room, seq, ts };
    if (request.kind === "chat") {
      await client.query(
        `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, rev)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $2)`,
        [room, seq, `m-${room}-${seq}`, actor.id, actor.name, request.text, ts, clientMsgId],
      );
      await writeSearchDocs(client, [{ room, seq, text: request.text }]);
      const event: ChatFrame = {
        type: "chat",
        id: `m-${room}-${seq}`,
        room,
        seq,
        rev: seq,
        from: actor as User,
        text: request.text,
        ts,
        clientMsgId,
      };
      return { ok: true, ack, event, duplicate: false } as AppendResult;
    }
    if (request.kind === "edit" || request.kind === "delete") {
      const text = request.kind === "edit" ? request.text : null;
      await client.query("UPDATE chats SET text = $3, rev = $4 WHERE room = $1 AND seq = $2", [room, request.target, text, seq]);
      await writeSearchDocs(client, [{ room, seq: request.target, text }]);
      const event = { type: request.kind, room, seq, target: request.target, ts, from: actor };
      return { ok: true, ack, event, duplicate: false } as unknown as AppendResult;
    }
    throw new Error(`the search test store does not do ${request.kind}`);
  }
}

/** Empties what the search tests write, between tests on one database. */
export async function clearSearchTables(pool: pg.Pool): Promise<void> {
  await pool.query("TRUNCATE rooms, chats, search_docs");
}
