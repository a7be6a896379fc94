import {
  type ChatFrame,
  ERROR_CODES,
  type ErrorCode,
  type ErrorFrame,
  encode,
  type JoinedFrame,
  type MembershipEntry,
  type NotifyLevel,
  PROTOCOL_VERSION,
  type ReadyFrame,
  type RoomEvent,
  type SearchHit,
  type SystemFrame,
  type User,
} from "@chatroom/protocol";
import type { Ack, AroundPageResult } from "../backend/message-store";
import type { ChatLimits } from "./limits";
import type { Removal } from "./ports";
import type { PresenceDiff } from "./room/presence-window";

/** Server frames, built in one place and encoded once. */

export interface ErrorFrameExtra {
  /** The room the refused frame named. */
  room?: string;
  clientMsgId?: string;
  retryAfterMs?: number;
}

export function errorFrame(code: ErrorCode, message: string = ERROR_CODES[code], extra: ErrorFrameExtra = {}): string {
  const frame: ErrorFrame = { type: "error", code, message };
  if (extra.room !== undefined) frame.room = extra.room;
  if (extra.clientMsgId !== undefined) frame.clientMsgId = extra.clientMsgId;
  if (extra.retryAfterMs !== undefined) frame.retryAfterMs = extra.retryAfterMs;
  return encode(frame);
}

export function pongFrame(t: number | undefined): string {
  return encode(t === undefined ? { type: "pong" } : { type: "pong", t });
}

/** The sender's answer to a change that was stored (or, for a reaction, that changed nothing). */
export function ackFrame(ack: Ack, clientMsgId: string): string {
  return encode({ type: "ack", room: ack.room, clientMsgId, seq: ack.seq, ts: ack.ts });
}

/** An answer to `history {before}`: older chats as they stand, and whether there are more. */
export function olderPageFrame(room: string, messages: ChatFrame[], hasOlder: boolean): string {
  return encode({ type: "history", room, messages, hasOlder });
}

/** An answer to `history {after}`: the next events, and whether more have been sent since. */
export function newerPageFrame(room: string, messages: RoomEvent[], hasNewer: boolean): string {
  return encode({ type: "history", room, messages, hasNewer });
}

/** The answer to `search`: hits newest first, and where the next page starts when there is one. */
export function searchResultsFrame(clientMsgId: string, results: SearchHit[], next: string | undefined): string {
  return encode(
    next === undefined ? { type: "search-results", clientMsgId, results } : { type: "search-results", clientMsgId, results, next },
  );
}

/** An answer to `history {around}`: the chats around a seq, and whether there are more on each side. */
export function aroundPageFrame(room: string, page: AroundPageResult): string {
  return encode({ type: "history", room, messages: page.messages, hasOlder: page.hasOlder, hasNewer: page.hasNewer });
}

/** A user's notification level for a room: the answer to `notify`, to each of their connections there. */
export function notifyFrame(room: string, level: NotifyLevel): string {
  return encode({ type: "notify", room, level });
}

/** `left`: the answer to `leave`, or with `removal` the server taking the user out (kick, ban). */
export function leftFrame(room: string, removal?: Removal): string {
  return encode(removal ? { type: "left", room, reason: removal.reason, by: plainUser(removal.by) } : { type: "left", room });
}

export function typingFrame(room: string, user: User, active: boolean): string {
  return encode({ type: "typing", room, user: plainUser(user), active });
}

export interface SystemFrameFields extends PresenceDiff {
  room: string;
  ts: number;
  memberCount: number;
  notice?: string;
}

export function systemFrame(fields: SystemFrameFields): SystemFrame {
  const frame: SystemFrame = {
    type: "system",
    room: fields.room,
    ts: fields.ts,
    joined: fields.joined.map(copyUser),
    left: fields.left.map(plainUser),
    renamed: fields.renamed.map((entry) => ({ user: plainUser(entry.user), previousName: entry.previousName })),
    memberCount: fields.memberCount,
  };
  if (fields.notice !== undefined) frame.notice = fields.notice;
  return frame;
}

export interface ReadyFields {
  you: User;
  session: string;
  rooms: MembershipEntry[];
  limits: ChatLimits;
  /** The connection holds the admin key. */
  admin?: boolean;
}

export function readyFrame(fields: ReadyFields): string {
  const { limits } = fields;
  const ready: ReadyFrame = {
    type: "ready",
    protocol: PROTOCOL_VERSION,
    you: copyUser(fields.you),
    session: fields.session,
    rooms: fields.rooms.map((entry) => ({
      room: entry.room,
      latestSeq: entry.latestSeq,
      readSeq: entry.readSeq,
      unread: entry.unread,
      unreadMentions: entry.unreadMentions,
      notify: entry.notify,
    })),
    limits: {
      maxTextLength: limits.maxTextLength,
      maxFrameBytes: limits.maxFrameBytes,
      ratePerSecond: limits.ratePerSecond,
      burst: limits.burst,
      maxRooms: limits.maxRooms,
      roomMentionMembersMax: limits.roomMentionMembersMax,
      ...(limits.editWindowMs === undefined ? {} : { editWindowMs: limits.editWindowMs }),
    },
    ...(fields.admin ? { admin: true as const } : {}),
  };
  return encode(ready);
}

export type JoinedFields = Omit<JoinedFrame, "type">;

export function joinedFrame(fields: JoinedFields): string {
  const joined: JoinedFrame = {
    type: "joined",
    room: fields.room,
    you: copyUser(fields.you),
    members: fields.members,
    memberCount: fields.memberCount,
    messages: fields.messages,
    latestSeq: fields.latestSeq,
    complete: fields.complete,
    readSeq: fields.readSeq,
    unreadMentions: fields.unreadMentions,
    notify: fields.notify,
    role: fields.role,
    private: fields.private,
    locked: fields.locked,
    slowModeMs: fields.slowModeMs,
    staff: fields.staff,
    ...(fields.mutedUntil === undefined ? {} : { mutedUntil: fields.mutedUntil }),
    ...(fields.key === undefined ? {} : { key: fields.key }),
  };
  return encode(joined);
}

/** Answer to `auth`: the fresh token is in force until `exp` (seconds since the epoch). */
export function authedFrame(exp: number): string {
  return encode({ type: "authed", exp });
}

/** A user with their role in the room, as `members`, `system.joined` and `you` show it (absent: member). */
export function copyUser(user: User): User {
  return user.role === undefined ? { id: user.id, name: user.name } : { id: user.id, name: user.name, role: user.role };
}

/** A user without a role, as chats' `from`, events' `by` and typing show them (clients badge from `staff`). */
export function plainUser(user: User): User {
  return { id: user.id, name: user.name };
}
