import type { ReactionSummary, User } from "@chatroom/protocol";
import { moderate } from "./access-moderation";
import { type AccessStep, deletesOthers, gateFor } from "./access-ops";
import type { AccessReader, AccessWrite } from "./access-state";
import type { AccessResult, Dedupe } from "./access-store";
import { checkTarget, reactionChange, targetOf } from "./change-rules";
import { chatFrameOf, decideMentions, type MentionFields, type StoredChat } from "./chat-state";
import { changeOf, type EventColumns, type EventKind } from "./event-rows";
import type { Ack, AppendResult, ChangeRequest, StoredEvent } from "./message-store";
import { type ModerationBody, moderationEventOf } from "./moderation-event";

/** What a send got, remembered for its resends (`stored`: an event was stored for it). */
export interface SentRecord {
  room: string;
  seq: number;
  ts: number;
  stored: boolean;
}

/** One row of the room log as the SQL stores keep it; a chat event's columns are all null (its chat row holds it). */
export type EventRecord = { room: string; seq: number; kind: EventKind } & EventColumns;

/**
 * The reads and writes of a store's atomic step, synchronous, as `AppendSteps` uses them. SQLite
 * runs each as a statement inside its group-commit transaction; PostgreSQL answers them from the
 * rows its tick loaded under the rooms' counter locks and writes what they change at the end of the
 * tick (postgres/tick-state.ts). Every read of a step comes before its first write, so a store may
 * abandon a step half-read (to load what it lacks) and run it again.
 */
export interface AppendTx {
  sent(userId: string, clientMsgId: string): SentRecord | undefined;
  remember(userId: string, clientMsgId: string, record: SentRecord): void;
  /** The room's latest seq in this transaction: `insertEvent` moves it. */
  latestSeq(room: string): number;
  access(room: string): AccessReader;
  applyAccess(room: string, writes: readonly AccessWrite[]): void;
  /** When the user's last chat under slow mode was sent. */
  lastChat(room: string, userId: string): number | undefined;
  noteChat(room: string, userId: string, ts: number): void;
  /** A chat of the room as it stands in this transaction. */
  chat(room: string, seq: number): StoredChat | undefined;
  /** The event at `seq` as a reader gets it now (a resend's original), or null. */
  event(room: string, seq: number): StoredEvent | null;
  /** Users holding a membership of the room (the `@room` rule). */
  memberCount(room: string): number;
  reactorOn(room: string, seq: number, emoji: string, userId: string): boolean;
  /** Stores an event; its seq is the room's latest from now on. */
  insertEvent(event: EventRecord): void;
  insertChat(chat: StoredChat): void;
  /** The chat's new text and mentions, `rev` and `edited` set. */
  editChat(room: string, seq: number, edit: { text: string; rev: number; ts: number; mentions: MentionFields }): void;
  /** Drops the chat's text, reactions, reply link and mentions, and its edits' texts and mentions. */
  deleteChat(room: string, seq: number, deletion: { rev: number; by: User; ts: number }): void;
  /** One user's reaction on or off, and the chat's summary after it. */
  react(
    room: string,
    seq: number,
    reaction: { emoji: string; userId: string; on: boolean; reactions: ReactionSummary[] | undefined; rev: number },
  ): void;
}

/**
 * How every change is checked and applied inside a store's atomic step (the order message-store.ts
 * documents on `MessageStore`), written once for the SQL stores over `AppendTx`.
 */
export class AppendSteps {
  constructor(private readonly options: { now: () => number; nextMessageId: () => string }) {}

  append(tx: AppendTx, request: ChangeRequest): AppendResult {
    const { room, actor, clientMsgId } = request;
    const original = tx.sent(actor.id, clientMsgId);
    if (original) {
      const ack = { room: original.room, seq: original.seq, ts: original.ts };
      return { ok: true, ack, event: original.stored ? tx.event(ack.room, ack.seq) : null, duplicate: true };
    }
    if (request.kind === "moderate") {
      const result = this.access(tx, room, { userId: actor.id, clientMsgId }, (reader, now) => moderate(reader, request, now));
      if (!result.ok) return result;
      return { ok: true, ack: result.ack, event: result.duplicate ? null : (result.events[0] ?? null), duplicate: false };
    }
    const from = { id: actor.id, name: actor.name };
    const now = this.options.now();
    const reader = tx.access(room);
    const gated = gateFor(reader, actor, request.kind, now, tx.lastChat(room, actor.id));
    if (gated.refusal) return gated.refusal;
    const targetSeq = targetOf(request);
    const target = targetSeq === undefined ? undefined : tx.chat(room, targetSeq);
    const refused = checkTarget(request, target, now, (authorId) => deletesOthers(reader, gated.role, authorId));
    if (refused) return refused;
    // The last reads: the member count (`@room`) and the reactor's state.
    const mentions = request.kind === "chat" || request.kind === "edit" ? decideMentions(request, () => tx.memberCount(room)) : {};
    const wasOn = request.kind === "react" && target !== undefined && tx.reactorOn(room, target.seq, request.emoji, from.id);
    const seq = tx.latestSeq(room) + 1;
    const targetKey = target?.seq ?? seq;
    let event: StoredEvent;
    switch (request.kind) {
      case "chat": {
        const chat: StoredChat = {
          room,
          seq,
          id: this.options.nextMessageId(),
          from,
          text: request.text,
          ts: now,
          clientMsgId,
          rev: seq,
          ...mentions,
        };
        if (request.replyTo !== undefined) chat.replyTo = request.replyTo;
        tx.insertEvent({ room, seq, kind: "chat", ...NO_COLUMNS });
        tx.insertChat(chat);
        // Kept only while slow mode is on: a chat sent with it off never holds back the next one.
        if ((reader.meta()?.slowModeMs ?? 0) > 0) tx.noteChat(room, from.id, now);
        event = chatFrameOf(chat, target, { live: true });
        break;
      }
      case "edit":
        tx.editChat(room, targetKey, { text: request.text, rev: seq, ts: now, mentions });
        event = insertChange(tx, seq, now, request, { type: "edit", target: targetKey, text: request.text, mentions });
        break;
      case "delete":
        tx.deleteChat(room, targetKey, { rev: seq, by: from, ts: now });
        event = insertChange(tx, seq, now, request, { type: "delete", target: targetKey });
        break;
      case "react": {
        const outcome = reactionChange(target?.reactions, { emoji: request.emoji, userId: from.id, on: request.on, wasOn });
        if (outcome.kind === "refused") return outcome.refusal;
        if (outcome.kind === "unchanged") return acknowledge(tx, request, { room, seq: seq - 1, ts: now }, null);
        tx.react(room, targetKey, { emoji: request.emoji, userId: from.id, on: request.on, reactions: outcome.reactions, rev: seq });
        event = insertChange(tx, seq, now, request, { type: "reaction", target: targetKey, emoji: request.emoji, on: request.on });
        break;
      }
    }
    return acknowledge(tx, request, { room, seq, ts: now }, event);
  }

  /** An access step: dedupe, decide on the state as it is in this transaction, write, append its events. */
  access<T>(
    tx: AppendTx,
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): AccessResult<T> {
    const original = dedupe && tx.sent(dedupe.userId, dedupe.clientMsgId);
    if (original) return { ok: true, duplicate: true, ack: { room: original.room, seq: original.seq, ts: original.ts } };
    const now = this.options.now();
    const step = decide(tx.access(room), now);
    if (!step.ok) return step;
    tx.applyAccess(room, step.writes);
    const events = step.events.map((body) => insertModeration(tx, room, tx.latestSeq(room) + 1, now, body));
    const ack = { room, seq: tx.latestSeq(room), ts: now };
    if (dedupe) tx.remember(dedupe.userId, dedupe.clientMsgId, { ...ack, stored: events.length > 0 });
    return { ok: true, duplicate: false, ack, value: step.value, events };
  }
}

/** Remembers what this send got, for its resends, and answers it. */
function acknowledge(tx: AppendTx, request: ChangeRequest, ack: Ack, event: StoredEvent | null): AppendResult {
  tx.remember(request.actor.id, request.clientMsgId, { ...ack, stored: event !== null });
  return { ok: true, ack, event, duplicate: false };
}

function insertModeration(tx: AppendTx, room: string, seq: number, ts: number, body: ModerationBody): StoredEvent {
  const { by, clientMsgId, ...fields } = body;
  tx.insertEvent({
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
  return moderationEventOf(room, seq, ts, body);
}

function insertChange(
  tx: AppendTx,
  seq: number,
  ts: number,
  request: ChangeRequest,
  change: { type: "edit" | "delete" | "reaction"; target: number; text?: string; emoji?: string; on?: boolean; mentions?: MentionFields },
): StoredEvent {
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
  tx.insertEvent({ room: request.room, seq, kind: change.type, ...columns });
  return changeOf(request.room, seq, change.type, columns);
}

/** A chat event's own columns: its chat's row holds the rest. */
export const NO_COLUMNS: EventColumns = {
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
