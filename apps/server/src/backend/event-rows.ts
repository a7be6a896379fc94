import type { ChangeEvent, ChatFrame, ModerationEvent, ReactionSummary, User } from "@chatroom/protocol";
import { chatFrameOf, type MentionFields, mentionFieldsOf, type ReplyTarget, type StoredChat } from "./chat-state";
import type { StoredEvent } from "./message-store";
import { type ModerationBody, moderationEventOf } from "./moderation-event";

/**
 * How the SQL stores (SQLite, PostgreSQL) read their rows: one SELECT for chats as they stand (with the columns a
 * reply's quote needs from its target) and one for events, which joins each chat event to its
 * chat. Every page and every append reads through these, so a chat reads the same everywhere.
 */

/** A chat's columns, prefixed `c_`, and its reply target's, prefixed `q_` (NULL when none). */
const CHAT_COLUMNS = `c.seq AS c_seq, c.id AS c_id, c.user_id AS c_user_id, c.user_name AS c_user_name, c.text AS c_text,
  c.ts AS c_ts, c.client_msg_id AS c_client_msg_id, c.reply_to AS c_reply_to, c.rev AS c_rev, c.edited_ts AS c_edited_ts,
  c.deleted_by_id AS c_deleted_by_id, c.deleted_by_name AS c_deleted_by_name, c.deleted_ts AS c_deleted_ts,
  c.reactions AS c_reactions, c.mentions AS c_mentions, c.mentions_room AS c_mentions_room, q.user_id AS q_user_id, q.user_name AS q_user_name, q.text AS q_text`;
const REPLY_TARGET_JOIN = "LEFT JOIN chats q ON q.room = c.room AND q.seq = c.reply_to";

/** Chats as they stand; add `WHERE c.room = … AND c.seq …`. */
export const SELECT_CHATS = `SELECT ${CHAT_COLUMNS} FROM chats c ${REPLY_TARGET_JOIN}`;

/** Events, each chat event with its chat as it stands; add `WHERE e.room = … AND e.seq …`. */
export const SELECT_EVENTS = `SELECT e.seq, e.kind, e.user_id, e.user_name, e.ts, e.client_msg_id, e.target, e.text, e.emoji,
  e.reaction_on, e.payload, e.mentions, ${CHAT_COLUMNS} FROM events e LEFT JOIN chats c ON c.room = e.room AND c.seq = e.seq ${REPLY_TARGET_JOIN}`;

export interface ChatRow {
  c_seq: number;
  c_id: string;
  c_user_id: string;
  c_user_name: string;
  c_text: string | null;
  c_ts: number;
  c_client_msg_id: string;
  c_reply_to: number | null;
  c_rev: number;
  c_edited_ts: number | null;
  c_deleted_by_id: string | null;
  c_deleted_by_name: string | null;
  c_deleted_ts: number | null;
  c_reactions: string | null;
  /** The current text's mentioned users as JSON; NULL when none. */
  c_mentions: string | null;
  c_mentions_room: number | null;
  q_user_id: string | null;
  q_user_name: string | null;
  q_text: string | null;
}

/** An event's own columns; a chat event has none of them (its chat's row says it all). */
export interface EventColumns {
  user_id: string | null;
  user_name: string | null;
  ts: number | null;
  client_msg_id: string | null;
  target: number | null;
  text: string | null;
  emoji: string | null;
  reaction_on: number | null;
  /** A moderation event's own fields (its action and what the action carries), as JSON. */
  payload: string | null;
  /** An edit's mention fields as JSON (`mentionFieldsOf`); NULL when none or purged. */
  mentions: string | null;
}

export type EventKind = "chat" | "edit" | "delete" | "reaction" | "moderation";

/** A row of SELECT_EVENTS: the event's columns, and its chat's for a chat event. */
export type EventRow = { seq: number; kind: EventKind } & EventColumns & { [K in keyof ChatRow]: ChatRow[K] | null };

export function storedChatOf(room: string, row: ChatRow): StoredChat {
  const chat: StoredChat = {
    room,
    seq: row.c_seq,
    id: row.c_id,
    from: { id: row.c_user_id, name: row.c_user_name },
    ts: row.c_ts,
    clientMsgId: row.c_client_msg_id,
    rev: row.c_rev,
  };
  if (row.c_text !== null) chat.text = row.c_text;
  if (row.c_reply_to !== null) chat.replyTo = row.c_reply_to;
  if (row.c_edited_ts !== null) chat.edited = { ts: row.c_edited_ts };
  if (row.c_deleted_ts !== null) {
    chat.deleted = { by: { id: row.c_deleted_by_id ?? "", name: row.c_deleted_by_name ?? "" }, ts: row.c_deleted_ts };
  }
  if (row.c_reactions !== null) chat.reactions = JSON.parse(row.c_reactions) as ReactionSummary[];
  if (row.c_mentions !== null) chat.mentions = JSON.parse(row.c_mentions) as User[];
  if (row.c_mentions_room === 1) chat.mentionsRoom = true;
  return chat;
}

/** The reply target a row joined, or undefined when the chat replies to nothing stored. */
export function replyTargetOf(row: ChatRow): ReplyTarget | undefined {
  if (row.q_user_id === null) return undefined;
  return { from: { id: row.q_user_id, name: row.q_user_name ?? "" }, ...(row.q_text === null ? {} : { text: row.q_text }) };
}

export function chatOfRow(room: string, row: ChatRow): ChatFrame {
  return chatFrameOf(storedChatOf(room, row), replyTargetOf(row), { live: false });
}

export function eventOfRow(room: string, row: EventRow): StoredEvent {
  return row.kind === "chat" ? chatOfRow(room, row as ChatRow) : changeOf(room, row.seq, row.kind, row);
}

/** A change or moderation event from its columns, as stored or as read back. */
export function changeOf(
  room: string,
  seq: number,
  kind: Exclude<EventKind, "chat">,
  columns: EventColumns,
): ChangeEvent | ModerationEvent {
  const base = { room, seq, ts: columns.ts ?? 0, target: columns.target ?? 0 };
  const by = { id: columns.user_id ?? "", name: columns.user_name ?? "" };
  const clientMsgId = columns.client_msg_id ?? "";
  if (kind === "moderation") {
    // The payload is the body this store wrote (insertModeration) without its columns.
    const fields = JSON.parse(columns.payload ?? "{}") as object;
    return moderationEventOf(room, seq, base.ts, { by, clientMsgId, ...fields } as ModerationBody);
  }
  if (kind === "edit") {
    const mentions = columns.mentions === null ? {} : mentionFieldsOf(JSON.parse(columns.mentions) as MentionFields);
    return { type: "edit", ...base, ...(columns.text === null ? {} : { text: columns.text }), by, clientMsgId, ...mentions };
  }
  if (kind === "delete") return { type: "delete", ...base, by, clientMsgId };
  return { type: "reaction", ...base, emoji: columns.emoji ?? "", on: columns.reaction_on === 1, by, clientMsgId };
}

/** A chat's row as the SQL stores write it (the inverse of `storedChatOf`), without its reply target's columns. */
export interface ChatColumns {
  room: string;
  seq: number;
  id: string;
  user_id: string;
  user_name: string;
  text: string | null;
  ts: number;
  client_msg_id: string;
  reply_to: number | null;
  rev: number;
  edited_ts: number | null;
  deleted_by_id: string | null;
  deleted_by_name: string | null;
  deleted_ts: number | null;
  reactions: string | null;
  mentions: string | null;
  mentions_room: number | null;
}

export function chatColumnsOf(chat: StoredChat): ChatColumns {
  return {
    room: chat.room,
    seq: chat.seq,
    id: chat.id,
    user_id: chat.from.id,
    user_name: chat.from.name,
    text: chat.text ?? null,
    ts: chat.ts,
    client_msg_id: chat.clientMsgId,
    reply_to: chat.replyTo ?? null,
    rev: chat.rev,
    edited_ts: chat.edited?.ts ?? null,
    deleted_by_id: chat.deleted?.by.id ?? null,
    deleted_by_name: chat.deleted?.by.name ?? null,
    deleted_ts: chat.deleted?.ts ?? null,
    reactions: chat.reactions === undefined ? null : JSON.stringify(chat.reactions),
    ...mentionColumnsOf(chat),
  };
}

/** The mention columns of a chat or an edit's new text. */
export function mentionColumnsOf(fields: MentionFields): { mentions: string | null; mentions_room: number | null } {
  return {
    mentions: fields.mentions === undefined || fields.mentions.length === 0 ? null : JSON.stringify(fields.mentions),
    mentions_room: fields.mentionsRoom ? 1 : null,
  };
}
