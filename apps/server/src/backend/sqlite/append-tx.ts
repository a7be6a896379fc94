import type Database from "better-sqlite3";
import type { AccessReader, AccessWrite } from "../access-state";
import type { AppendTx, EventRecord, SentRecord } from "../append-step";
import type { StoredChat } from "../chat-state";
import {
  type ChatRow,
  chatColumnsOf,
  type EventRow,
  eventOfRow,
  mentionColumnsOf,
  SELECT_CHATS,
  SELECT_EVENTS,
  storedChatOf,
} from "../event-rows";
import type { StoredEvent } from "../message-store";
import type { SqliteAccessState } from "./access-state";

interface SendRow {
  room: string;
  seq: number;
  ts: number;
  stored: number;
}

/**
 * `AppendTx` as statements on the open group-commit transaction: each read and write goes straight
 * to the file, so a step sees what the steps before it in the same tick wrote.
 */
export class SqliteAppendTx implements AppendTx {
  /** A room's latest seq, read once and then kept in step with this node's appends. */
  private readonly latestByRoom = new Map<string, number>();
  private readonly statements;

  constructor(
    db: Database.Database,
    private readonly accessState: SqliteAccessState,
  ) {
    this.statements = {
      sent: db.prepare<[string, string], SendRow>("SELECT room, seq, ts, stored FROM sends WHERE user_id = ? AND client_msg_id = ?"),
      remember: db.prepare<[string, string, string, number, number, number]>(
        "INSERT INTO sends (user_id, client_msg_id, room, seq, ts, stored) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      latest: db.prepare<[string], { seq: number | null }>("SELECT MAX(seq) AS seq FROM events WHERE room = ?"),
      memberCount: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM memberships WHERE room = ?"),
      chatAt: db.prepare<[string, number], ChatRow>(`${SELECT_CHATS} WHERE c.room = ? AND c.seq = ?`),
      eventAt: db.prepare<[string, number], EventRow>(`${SELECT_EVENTS} WHERE e.room = ? AND e.seq = ?`),
      insertEvent: db.prepare<EventRecord>(
        `INSERT INTO events (room, seq, kind, user_id, user_name, ts, client_msg_id, target, text, emoji, reaction_on, payload, mentions)
         VALUES (@room, @seq, @kind, @user_id, @user_name, @ts, @client_msg_id, @target, @text, @emoji, @reaction_on, @payload, @mentions)`,
      ),
      insertChat: db.prepare(
        `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, reply_to, rev, mentions, mentions_room)
         VALUES (@room, @seq, @id, @user_id, @user_name, @text, @ts, @client_msg_id, @reply_to, @rev, @mentions, @mentions_room)`,
      ),
      editChat: db.prepare(
        `UPDATE chats SET text = @text, rev = @rev, edited_ts = @ts, mentions = @mentions, mentions_room = @mentions_room
         WHERE room = @room AND seq = @seq`,
      ),
      deleteChat: db.prepare(
        `UPDATE chats SET text = NULL, reactions = NULL, reply_to = NULL, mentions = NULL, mentions_room = NULL, rev = @rev,
           deleted_by_id = @by_id, deleted_by_name = @by_name, deleted_ts = @ts
         WHERE room = @room AND seq = @seq`,
      ),
      // `kind = 'edit'` spelled out, so the partial index events_edits serves it.
      purgeEdits: db.prepare("UPDATE events SET text = NULL, mentions = NULL WHERE room = @room AND target = @seq AND kind = 'edit'"),
      purgeReactions: db.prepare("DELETE FROM reactions WHERE room = @room AND seq = @seq"),
      reactorOn: db.prepare<[string, number, string, string], { one: number }>(
        "SELECT 1 AS one FROM reactions WHERE room = ? AND seq = ? AND emoji = ? AND user_id = ?",
      ),
      addReactor: db.prepare("INSERT INTO reactions (room, seq, emoji, user_id) VALUES (@room, @seq, @emoji, @user)"),
      removeReactor: db.prepare("DELETE FROM reactions WHERE room = @room AND seq = @seq AND emoji = @emoji AND user_id = @user"),
      setReactions: db.prepare("UPDATE chats SET reactions = @reactions, rev = @rev WHERE room = @room AND seq = @seq"),
    };
  }

  /** The transaction rolled back, so cached seqs may be ahead of the file. */
  forgetCachedSeqs(): void {
    this.latestByRoom.clear();
  }

  sent(userId: string, clientMsgId: string): SentRecord | undefined {
    const row = this.statements.sent.get(userId, clientMsgId);
    return row && { room: row.room, seq: row.seq, ts: row.ts, stored: row.stored === 1 };
  }

  remember(userId: string, clientMsgId: string, record: SentRecord): void {
    this.statements.remember.run(userId, clientMsgId, record.room, record.seq, record.ts, record.stored ? 1 : 0);
  }

  latestSeq(room: string): number {
    let latest = this.latestByRoom.get(room);
    if (latest === undefined) {
      latest = this.statements.latest.get(room)?.seq ?? 0;
      this.latestByRoom.set(room, latest);
    }
    return latest;
  }

  access(room: string): AccessReader {
    return this.accessState.reader(room);
  }

  applyAccess(room: string, writes: readonly AccessWrite[]): void {
    this.accessState.apply(room, writes);
  }

  lastChat(room: string, userId: string): number | undefined {
    return this.accessState.lastChat(room, userId);
  }

  noteChat(room: string, userId: string, ts: number): void {
    this.accessState.noteChat(room, userId, ts);
  }

  chat(room: string, seq: number): StoredChat | undefined {
    const row = this.statements.chatAt.get(room, seq);
    return row && storedChatOf(room, row);
  }

  event(room: string, seq: number): StoredEvent | null {
    const row = this.statements.eventAt.get(room, seq);
    return row ? eventOfRow(room, row) : null;
  }

  memberCount(room: string): number {
    return this.statements.memberCount.get(room)?.n ?? 0;
  }

  reactorOn(room: string, seq: number, emoji: string, userId: string): boolean {
    return this.statements.reactorOn.get(room, seq, emoji, userId) !== undefined;
  }

  insertEvent(event: EventRecord): void {
    this.statements.insertEvent.run(event);
    this.latestByRoom.set(event.room, event.seq);
  }

  insertChat(chat: StoredChat): void {
    const { edited_ts, deleted_by_id, deleted_by_name, deleted_ts, reactions, ...columns } = chatColumnsOf(chat);
    this.statements.insertChat.run(columns);
  }

  editChat(room: string, seq: number, edit: Parameters<AppendTx["editChat"]>[2]): void {
    this.statements.editChat.run({ room, seq, text: edit.text, rev: edit.rev, ts: edit.ts, ...mentionColumnsOf(edit.mentions) });
  }

  deleteChat(room: string, seq: number, deletion: Parameters<AppendTx["deleteChat"]>[2]): void {
    const key = { room, seq };
    this.statements.purgeEdits.run(key);
    this.statements.purgeReactions.run(key);
    this.statements.deleteChat.run({ ...key, rev: deletion.rev, by_id: deletion.by.id, by_name: deletion.by.name, ts: deletion.ts });
  }

  react(room: string, seq: number, reaction: Parameters<AppendTx["react"]>[2]): void {
    const reactor = { room, seq, emoji: reaction.emoji, user: reaction.userId };
    if (reaction.on) this.statements.addReactor.run(reactor);
    else this.statements.removeReactor.run(reactor);
    const reactions = reaction.reactions === undefined ? null : JSON.stringify(reaction.reactions);
    this.statements.setReactions.run({ room, seq, reactions, rev: reaction.rev });
  }
}
