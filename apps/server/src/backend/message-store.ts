import type { ChatFrame, RoomEvent } from "@chatroom/protocol";
import type { ModerationAction } from "./access-moderation";
import type { AccessRefusalCode } from "./access-rules";
import type { Actor } from "./access-state";
import type { MentionRequest } from "./chat-state";

/**
 * A room's stored events, ordered by `seq`: chats, edits, deletions, reactions and moderation
 * ([4/6]), each with the room's next `seq`, so readers and the room's ordered stream never depend
 * on what kind an event is. A chat read back from the store is the message as it stands (with `rev`); a live one, as
 * `append` returns it, is the message as sent.
 */
export type StoredEvent = RoomEvent;

/** What every change names. The server fills in the actor; the frame never does. */
interface ChangeOrigin {
  room: string;
  /** Who asks: the sender (`from`/`by` of the event) and what their connection holds. */
  actor: Actor;
  clientMsgId: string;
}

/** The kinds of change a client can ask for, as the store checks and applies them. */
export type ChangeKind =
  /** The mention fields are resolved before the append (chat/room/mention-resolver.ts) and stored as given. */
  | ({ kind: "chat"; text: string; replyTo?: number } & MentionRequest)
  /** `editWindowMs`: how long after its `ts` the chat may be edited; absent, any time. An edit's mentions replace the chat's. */
  | ({ kind: "edit"; target: number; text: string; editWindowMs?: number } & MentionRequest)
  | { kind: "delete"; target: number }
  | { kind: "react"; target: number; emoji: string; on: boolean }
  /** A staff action ([4/6]): stored as a `moderation` event, with the state change in the same step. */
  | ({ kind: "moderate" } & ModerationAction);

export type ChangeRequest = ChangeOrigin & ChangeKind;

/** Why a change was refused; each is an error code of the protocol. */
export type RefusalCode = "not_found" | "forbidden" | "gone" | AccessRefusalCode;

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
  | { ok: false; code: RefusalCode; message: string; retryAfterMs?: number };

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

/** The chats around a seq (a link to a message): oldest first, with both flags. */
export interface AroundPageResult {
  messages: ChatFrame[];
  hasOlder: boolean;
  hasNewer: boolean;
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
 * step that assigns the seq, in this order: (1) dedupe on `(actor.id, clientMsgId)` across kinds
 * and rooms (a resend gets the original result); then the room's access state ([4/6], the rules
 * of access-rules.ts): (a) the actor is banned (by user id, or by `actor.addressHash`), ban not
 * expired: `banned`; (b) a private room and the actor holds no role there (stored, claimed or
 * admin): `forbidden`; for chat, edit, delete and react: (c) locked and the actor is not staff:
 * `locked`; (d) muted: `muted` (`retryAfterMs` when timed); (e) a chat, slow mode on, the actor
 * not staff, and their last chat under slow mode less than the interval ago: `slow_mode` with
 * `retryAfterMs`; then (2) the target (or `replyTo`) is a chat of this room, else `not_found`;
 * (3) it is not deleted, else `gone`; (4) only the author edits; the author or staff of at least
 * the author's stored rank deletes; within the edit window; a chat carries at most
 * `maxReactionEmoji` distinct emoji; else `forbidden`; (5) store the event and bring the chat's
 * state up to date (a chat's and an edit's mentions as `decideMentions` makes them of the request,
 * counting the room's members in the same step: an edit's replace the chat's). On a delete the chat's text, its edits' texts, its reactions, its
 * reply link and every mention of it and of its edits leave the store.
 *
 * A `moderate` request passes (a) and (b), then the rank rules (`checkModeration`: staff only,
 * rank above the target's stored rank, roles by owners, the last owner kept), and then, in the
 * same step, takes the next seq for its `moderation` event and applies its state change: mutes,
 * bans (and the target's last address), slow mode, lock, roles (and the role of the pass the
 * user joined with); kick and ban also drop the target's role and membership and revoke the
 * pass they joined with. A moderation event is a room event like an edit: `range` and `after`
 * return it, `before` and `latestChats` (chats only) do not.
 *
 * Reads return chats as they stand (`rev`, `edited`, `deleted`, `reactions`, a reply's quote
 * computed from its target's current state); the other kinds as stored, an edit of a chat that
 * has since been deleted without its text.
 */
export interface MessageStore {
  append(request: ChangeRequest): Promise<AppendResult>;
  latestSeq(room: string): Promise<number>;
  /**
   * `latestSeq` of many rooms in one read (a node's periodic check of every room it serves): every
   * room asked is in the map, 0 for a room with no events.
   */
  latestSeqs(rooms: readonly string[]): Promise<Map<string, number>>;
  /** A fresh join: the newest `limit` chats with `seq <= upTo`, oldest first. */
  latestChats(room: string, upTo: number, limit: number): Promise<LatestChatsResult>;
  /** A resume and a gap fill: every event of the range, the newest `limit` of them, oldest first. */
  range(room: string, query: RangeQuery): Promise<RangeResult>;
  /** Chats with `seq < before`, the newest `limit` of them, oldest first. */
  before(room: string, before: number, limit: number): Promise<PageResult>;
  /** Events with `after < seq <= upTo`, the oldest `limit` of them, oldest first: how a client fills a gap forward. */
  after(room: string, after: number, upTo: number, limit: number): Promise<NewerPageResult>;
  /**
   * Chats with `seq <= upTo` around `seq`, as they stand, oldest first: the chat at `seq` if it is
   * one, about half of the rest before it and the others after it (around-page.ts decides).
   */
  around(room: string, seq: number, upTo: number, limit: number): Promise<AroundPageResult>;
}
