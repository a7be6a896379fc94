import type { ChangeEvent, ModerationEvent } from "@chatroom/protocol";
import type Database from "better-sqlite3";
import { moderate } from "../access-moderation";
import { type AccessStep, deletesOthers, gateFor } from "../access-ops";
import type { AccessReader } from "../access-state";
import type { AccessResult, AccessRunner, Dedupe } from "../access-store";
import { aroundBounds, aroundPage } from "../around-page";
import { checkTarget, reactionChange, targetOf } from "../change-rules";
import { chatFrameOf, decideMentions, type MentionFields, type StoredChat } from "../chat-state";
import { createMessageIds } from "../message-ids";
import type {
  Ack,
  AppendResult,
  AroundPageResult,
  ChangeRequest,
  LatestChatsResult,
  MessageStore,
  NewerPageResult,
  PageResult,
  RangeQuery,
  RangeResult,
  StoredEvent,
} from "../message-store";
import { type ModerationBody, moderationEventOf } from "../moderation-event";
import type { SqliteAccessState } from "./access-state";
import {
  type ChatRow,
  changeOf,
  chatOfRow,
  type EventColumns,
  type EventKind,
  type EventRow,
  eventOfRow,
  SELECT_CHATS,
  SELECT_EVENTS,
  storedChatOf,
} from "./event-rows";
import type { GroupCommit } from "./group-commit";

interface SendRow {
  room: string;
  seq: number;
  ts: number;
  stored: number;
}

/**
 * Room history in `events` (the log), `chats` (each message as it stands), `reactions` and
 * `sends` (see schema.ts). An append runs inside the shared group commit's transaction from its
 * dedupe check to its last write, so checks and the seq it takes are one atomic step.
 */
export class SqliteMessageStore implements MessageStore, AccessRunner {
  /** A room's latest seq, read once and then kept in step with this node's appends. */
  private readonly latestByRoom = new Map<string, number>();
  private readonly nextMessageId: () => string;
  private readonly now: () => number;
  private readonly commit: GroupCommit;
  private readonly access: SqliteAccessState;
  private readonly statements;

  constructor(options: { db: Database.Database; commit: GroupCommit; access: SqliteAccessState; nodeId: string; now: () => number }) {
    const { db } = options;
    this.commit = options.commit;
    this.access = options.access;
    this.now = options.now;
    this.nextMessageId = createMessageIds(options.nodeId);
    this.statements = {
      sent: db.prepare<[string, string], SendRow>("SELECT room, seq, ts, stored FROM sends WHERE user_id = ? AND client_msg_id = ?"),
      remember: db.prepare<[string, string, string, number, number, number]>(
        "INSERT INTO sends (user_id, client_msg_id, room, seq, ts, stored) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      latest: db.prepare<[string], { seq: number | null }>("SELECT MAX(seq) AS seq FROM events WHERE room = ?"),
      memberCount: db.prepare<[string], { n: number }>("SELECT COUNT(*) AS n FROM memberships WHERE room = ?"),
      oldest: db.prepare<[string], { seq: number | null }>("SELECT MIN(seq) AS seq FROM events WHERE room = ?"),
      chatAt: db.prepare<[string, number], ChatRow>(`${SELECT_CHATS} WHERE c.room = ? AND c.seq = ?`),
      eventAt: db.prepare<[string, number], EventRow>(`${SELECT_EVENTS} WHERE e.room = ? AND e.seq = ?`),
      newestEvents: db.prepare<[string, number, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE e.room = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq DESC LIMIT ?`,
      ),
      oldestEvents: db.prepare<[string, number, number, number], EventRow>(
        `${SELECT_EVENTS} WHERE e.room = ? AND e.seq > ? AND e.seq <= ? ORDER BY e.seq ASC LIMIT ?`,
      ),
      newestChats: db.prepare<[string, number, number], ChatRow>(
        `${SELECT_CHATS} WHERE c.room = ? AND c.seq < ? ORDER BY c.seq DESC LIMIT ?`,
      ),
      oldestChats: db.prepare<[string, number, number, number], ChatRow>(
        `${SELECT_CHATS} WHERE c.room = ? AND c.seq > ? AND c.seq <= ? ORDER BY c.seq ASC LIMIT ?`,
      ),
      insertEvent: db.prepare<EventInsert>(
        `INSERT INTO events (room, seq, kind, user_id, user_name, ts, client_msg_id, target, text, emoji, reaction_on, payload, mentions)
         VALUES (@room, @seq, @kind, @user_id, @user_name, @ts, @client_msg_id, @target, @text, @emoji, @reaction_on, @payload, @mentions)`,
      ),
      insertChat: db.prepare(
        `INSERT INTO chats (room, seq, id, user_id, user_name, text, ts, client_msg_id, reply_to, rev, mentions, mentions_room)
         VALUES (@room, @seq, @id, @user_id, @user_name, @text, @ts, @client_msg_id, @reply_to, @seq, @mentions, @mentions_room)`,
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
    // The transaction rolled back, so cached seqs may be ahead of the file: forget them.
    this.commit.onRollback(() => this.latestByRoom.clear());
  }

  append(request: ChangeRequest): Promise<AppendResult> {
    return this.commit.submit(() => this.appendInTransaction(request));
  }

  runAccess<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): Promise<AccessResult<T>> {
    return this.commit.submit(() => this.accessInTransaction(room, dedupe, decide));
  }

  /** An access step: dedupe, decide on the state as it is in this transaction, write, append its events. */
  private accessInTransaction<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): AccessResult<T> {
    const original = dedupe && this.statements.sent.get(dedupe.userId, dedupe.clientMsgId);
    if (original) return { ok: true, duplicate: true, ack: { room: original.room, seq: original.seq, ts: original.ts } };
    const now = this.now();
    const step = decide(this.access.reader(room), now);
    if (!step.ok) return step;
    this.access.apply(room, step.writes);
    const events = step.events.map((body) => this.insertModeration(room, this.latestSeqSync(room) + 1, now, body));
    const ack = { room, seq: this.latestSeqSync(room), ts: now };
    if (dedupe) this.statements.remember.run(dedupe.userId, dedupe.clientMsgId, room, ack.seq, now, events.length > 0 ? 1 : 0);
    return { ok: true, duplicate: false, ack, value: step.value, events };
  }

  private insertModeration(room: string, seq: number, ts: number, body: ModerationBody): ModerationEvent {
    const { by, clientMsgId, ...fields } = body;
    this.statements.insertEvent.run({
      room,
      seq,
      kind: "moderation",
      ...NO_COLUMNS,
      user_id: by.id,
      user_name: by.name,
      ts,
      client_msg_id: clientMsgId,
      payload: JSON.stringify(fields),
    });
    this.latestByRoom.set(room, seq);
    return moderationEventOf(room, seq, ts, body);
  }

  private appendInTransaction(request: ChangeRequest): AppendResult {
    const { room, actor, clientMsgId } = request;
    const original = this.statements.sent.get(actor.id, clientMsgId);
    if (original) {
      const ack = { room: original.room, seq: original.seq, ts: original.ts };
      return { ok: true, ack, event: original.stored === 1 ? this.eventAtSync(ack.room, ack.seq) : null, duplicate: true };
    }
    if (request.kind === "moderate") {
      const result = this.accessInTransaction(room, { userId: actor.id, clientMsgId }, (reader, now) => moderate(reader, request, now));
      if (!result.ok) return result;
      return { ok: true, ack: result.ack, event: result.duplicate ? null : (result.events[0] ?? null), duplicate: false };
    }
    const from = { id: actor.id, name: actor.name };
    const now = this.now();
    const reader = this.access.reader(room);
    const gated = gateFor(reader, actor, request.kind, now, this.access.lastChat(room, actor.id));
    if (gated.refusal) return gated.refusal;
    const targetSeq = targetOf(request);
    const targetRow = targetSeq === undefined ? undefined : this.statements.chatAt.get(room, targetSeq);
    const target = targetRow && storedChatOf(room, targetRow);
    const refused = checkTarget(request, target, now, (authorId) => deletesOthers(reader, gated.role, authorId));
    if (refused) return refused;
    const seq = this.latestSeqSync(room) + 1;
    const key = { room, seq: target?.seq ?? seq };
    let event: StoredEvent;
    switch (request.kind) {
      case "chat": {
        const mentions = this.mentionsOf(request);
        const chat: StoredChat = {
          room,
          seq,
          id: this.nextMessageId(),
          from,
          text: request.text,
          ts: now,
          clientMsgId,
          rev: seq,
          ...mentions,
        };
        if (request.replyTo !== undefined) chat.replyTo = request.replyTo;
        this.statements.insertEvent.run({ room, seq, kind: "chat", ...NO_COLUMNS });
        this.statements.insertChat.run({
          room,
          seq,
          id: chat.id,
          user_id: from.id,
          user_name: from.name,
          text: request.text,
          ts: now,
          client_msg_id: clientMsgId,
          reply_to: request.replyTo ?? null,
          ...mentionColumns(mentions),
        });
        this.access.noteChat(room, from.id, now);
        event = chatFrameOf(chat, target, { live: true });
        break;
      }
      case "edit": {
        const mentions = this.mentionsOf(request);
        this.statements.editChat.run({ ...key, text: request.text, rev: seq, ts: now, ...mentionColumns(mentions) });
        event = this.insertChange(seq, now, request, { type: "edit", target: key.seq, text: request.text, mentions });
        break;
      }
      case "delete":
        this.statements.purgeEdits.run(key);
        this.statements.purgeReactions.run(key);
        this.statements.deleteChat.run({ ...key, rev: seq, by_id: from.id, by_name: from.name, ts: now });
        event = this.insertChange(seq, now, request, { type: "delete", target: key.seq });
        break;
      case "react": {
        const reactor = { ...key, emoji: request.emoji, user: from.id };
        const wasOn = this.statements.reactorOn.get(room, key.seq, request.emoji, from.id) !== undefined;
        const outcome = reactionChange(target?.reactions, { emoji: request.emoji, userId: from.id, on: request.on, wasOn });
        if (outcome.kind === "refused") return outcome.refusal;
        if (outcome.kind === "unchanged") return this.acknowledge(request, { room, seq: seq - 1, ts: now }, null);
        if (request.on) this.statements.addReactor.run(reactor);
        else this.statements.removeReactor.run(reactor);
        const reactions = outcome.reactions === undefined ? null : JSON.stringify(outcome.reactions);
        this.statements.setReactions.run({ ...key, reactions, rev: seq });
        event = this.insertChange(seq, now, request, { type: "reaction", target: key.seq, emoji: request.emoji, on: request.on });
        break;
      }
    }
    this.latestByRoom.set(room, seq);
    return this.acknowledge(request, { room, seq, ts: now }, event);
  }

  /** The mentions to keep, the `@room` rule counted in this transaction. */
  private mentionsOf(request: ChangeRequest & { kind: "chat" | "edit" }): MentionFields {
    return decideMentions(request, () => this.statements.memberCount.get(request.room)?.n ?? 0);
  }

  /** Remembers what this send got, for its resends, and answers it. */
  private acknowledge(request: ChangeRequest, ack: Ack, event: StoredEvent | null): AppendResult {
    this.statements.remember.run(request.actor.id, request.clientMsgId, ack.room, ack.seq, ack.ts, event ? 1 : 0);
    return { ok: true, ack, event, duplicate: false };
  }

  private insertChange(
    seq: number,
    ts: number,
    request: ChangeRequest,
    change: { type: ChangeEvent["type"]; target: number; text?: string; emoji?: string; on?: boolean; mentions?: MentionFields },
  ): ChangeEvent | ModerationEvent {
    const columns: EventColumns = {
      user_id: request.actor.id,
      user_name: request.actor.name,
      ts,
      client_msg_id: request.clientMsgId,
      target: change.target,
      text: change.text ?? null,
      emoji: change.emoji ?? null,
      reaction_on: change.on === undefined ? null : Number(change.on),
      payload: null,
      mentions: change.mentions && Object.keys(change.mentions).length > 0 ? JSON.stringify(change.mentions) : null,
    };
    this.statements.insertEvent.run({ room: request.room, seq, kind: change.type, ...columns });
    return changeOf(request.room, seq, change.type, columns);
  }

  private latestSeqSync(room: string): number {
    let latest = this.latestByRoom.get(room);
    if (latest === undefined) {
      latest = this.statements.latest.get(room)?.seq ?? 0;
      this.latestByRoom.set(room, latest);
    }
    return latest;
  }

  private eventAtSync(room: string, seq: number): StoredEvent | null {
    const row = this.statements.eventAt.get(room, seq);
    return row ? eventOfRow(room, row) : null;
  }

  async latestSeq(room: string): Promise<number> {
    return this.latestSeqSync(room);
  }

  async latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult> {
    const { messages, hasOlder } = this.chatsBefore(room, upTo + 1, limit);
    return { messages, complete: !hasOlder };
  }

  async range(room: string, query: RangeQuery): Promise<RangeResult> {
    const after = Math.max(0, query.after);
    if (after >= query.upTo || query.limit <= 0) return { messages: [], complete: after >= query.upTo };
    const rows = this.statements.newestEvents.all(room, after, query.upTo, query.limit);
    rows.reverse();
    const first = rows[0];
    // Complete when nothing older than the first row is left in the range.
    const oldest = this.statements.oldest.get(room)?.seq ?? 0;
    const complete = first === undefined ? true : first.seq === after + 1 || first.seq <= oldest;
    return { messages: rows.map((row) => eventOfRow(room, row)), complete };
  }

  async before(room: string, before: number, limit: number): Promise<PageResult> {
    return this.chatsBefore(room, before, limit);
  }

  async after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult> {
    const start = Math.max(0, after);
    if (start >= upTo || limit <= 0) return { messages: [], hasNewer: start < upTo };
    // One row past the page tells whether there is more, without counting the rest.
    const rows = this.statements.oldestEvents.all(room, start, upTo, limit + 1);
    const hasNewer = rows.length > limit;
    if (hasNewer) rows.pop();
    return { messages: rows.map((row) => eventOfRow(room, row)), hasNewer };
  }

  async around(room: string, seq: number, upTo: number, limit: number): Promise<AroundPageResult> {
    const { olderBelow, newerAfter } = aroundBounds(seq, upTo);
    const older = olderBelow <= 1 ? [] : this.statements.newestChats.all(room, olderBelow, limit + 1).reverse();
    const newer = this.statements.oldestChats.all(room, newerAfter, upTo, limit + 1);
    return aroundPage(
      older.map((row) => chatOfRow(room, row)),
      newer.map((row) => chatOfRow(room, row)),
      limit,
    );
  }

  /** The newest `limit` chats below `before`, oldest first; one row more tells whether older ones exist. */
  private chatsBefore(room: string, before: number, limit: number): PageResult {
    // A limit of 0 still reads one row: whether older chats exist (WELCOME_LATEST=0).
    if (before <= 1) return { messages: [], hasOlder: false };
    const rows = this.statements.newestChats.all(room, before, limit + 1);
    const hasOlder = rows.length > limit;
    if (hasOlder) rows.pop();
    rows.reverse();
    return { messages: rows.map((row) => chatOfRow(room, row)), hasOlder };
  }
}

type EventInsert = { room: string; seq: number; kind: EventKind } & EventColumns;

/** A chat event's own columns: its chat's row holds the rest. */
const NO_COLUMNS: EventColumns = {
  user_id: null,
  user_name: null,
  ts: null,
  client_msg_id: null,
  target: null,
  text: null,
  emoji: null,
  reaction_on: null,
  payload: null,
  mentions: null,
};

/** A chat row's mention columns. */
function mentionColumns(mentions: MentionFields): { mentions: string | null; mentions_room: number | null } {
  return {
    mentions: mentions.mentions === undefined ? null : JSON.stringify(mentions.mentions),
    mentions_room: mentions.mentionsRoom ? 1 : null,
  };
}
