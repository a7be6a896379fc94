import type { ChatFrame, RoomEvent, User } from "@chatroom/protocol";

/**
 * A room's stored events, ordered by `seq`: chats, edits, deletions and reactions, each with the
 * room's next `seq`, so readers and the room's ordered stream never depend on what kind an event
 * is. A chat read back from the store is the message as it stands (with `rev`); a live one, as
 * `append` returns it, is the message as sent.
 */
export type StoredEvent = RoomEvent;

/** What every change names. The server fills in the sender; the frame never does. */
interface ChangeOrigin {
  room: string;
  from: User;
  clientMsgId: string;
}

/** The kinds of change a client can ask for, as the store checks and applies them. */
export type ChangeKind =
  | { kind: "chat"; text: string; replyTo?: number }
  /** `editWindowMs`: how long after its `ts` the chat may be edited; absent, any time. */
  | { kind: "edit"; target: number; text: string; editWindowMs?: number }
  | { kind: "delete"; target: number }
  | { kind: "react"; target: number; emoji: string; on: boolean };

export type ChangeRequest = ChangeOrigin & ChangeKind;

/** Why a change was refused; each is an error code of the protocol. */
export type RefusalCode = "not_found" | "forbidden" | "gone";

/** What the sender's `ack` says: where the change stands in the room's order. */
export interface Ack {
  room: string;
  seq: number;
  ts: number;
}

export type AppendResult =
  | {
      ok: true;
      ack: Ack;
      /**
       * The stored event, to fan out; null for a reaction that changed nothing (not stored, and
       * acked with the room's latest seq, since the state up to there already reflects it). For a
       * duplicate, the original event as the store holds it now, or null.
       */
      event: StoredEvent | null;
      /** True when `(from.id, clientMsgId)` was already used: `ack` is the original's, nothing was stored. */
      duplicate: boolean;
    }
  | { ok: false; code: RefusalCode; message: string };

export interface RangeQuery {
  /** Only events with `seq > after`. */
  after: number;
  /** Only events with `seq <= upTo`, so a reader never sees past what has been fanned out. */
  upTo: number;
  /** The newest `limit` events of the range are returned. */
  limit: number;
}

export interface RangeResult {
  messages: StoredEvent[];
  /** False when older events of the range were left out by `limit`. */
  complete: boolean;
}

export interface LatestChatsResult {
  messages: ChatFrame[];
  /** True when the room holds no chat older than the first one returned. */
  complete: boolean;
}

export interface PageResult {
  messages: ChatFrame[];
  hasOlder: boolean;
}

export interface NewerPageResult {
  messages: StoredEvent[];
  /** True when events of the range were left out by `limit`. */
  hasNewer: boolean;
}

/**
 * Durable room history. Every implementation passes the same contract suite.
 *
 * `append` is the one way in, for every kind of change. It checks and applies in the same atomic
 * step that assigns the seq, in this order: (1) dedupe on `(from.id, clientMsgId)` across kinds
 * and rooms (a resend gets the original result); (2) the target (or `replyTo`) is a chat of this
 * room, else `not_found`; (3) it is not deleted, else `gone`; (4) only the author edits or
 * deletes, within the edit window, and a chat carries at most `maxReactionEmoji` distinct emoji,
 * else `forbidden`; (5) store the event and bring the chat's state up to date. On a delete the
 * chat's text, its edits' texts, its reactions and its reply link leave the store.
 *
 * Reads return chats as they stand (`rev`, `edited`, `deleted`, `reactions`, a reply's quote
 * computed from its target's current state); the other kinds as stored, an edit of a chat that
 * has since been deleted without its text.
 */
export interface MessageStore {
  append(request: ChangeRequest): Promise<AppendResult>;
  latestSeq(room: string): Promise<number>;
  /** A fresh join: the newest `limit` chats with `seq <= upTo`, oldest first. */
  latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult>;
  /** A resume and a gap fill: every event of the range, the newest `limit` of them, oldest first. */
  range(room: string, query: RangeQuery): Promise<RangeResult>;
  /** Chats with `seq < before`, the newest `limit` of them, oldest first. */
  before(room: string, before: number, limit: number): Promise<PageResult>;
  /** Events with `after < seq <= upTo`, the oldest `limit` of them, oldest first: how a client fills a gap forward. */
  after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult>;
}
