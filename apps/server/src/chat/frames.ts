import {
  type ChatFrame,
  ERROR_CODES,
  type ErrorCode,
  encode,
  PROTOCOL_VERSION,
  type ServerFrame,
  type SystemFrame,
  type User,
  type WelcomeFrame,
} from "@chatroom/protocol";
import type { ChatLimits } from "./limits";
import type { PresenceDiff } from "./room/presence-window";

/** Server frames, built in one place and encoded once. */

export function errorFrame(
  code: ErrorCode,
  message: string = ERROR_CODES[code],
  extra: { clientMsgId?: string; retryAfterMs?: number } = {},
): string {
  const frame: ServerFrame = { type: "error", code, message, ...extra };
  return encode(frame);
}

export function pongFrame(t: number | undefined): string {
  return encode(t === undefined ? { type: "pong" } : { type: "pong", t });
}

export function ackFrame(message: ChatFrame): string {
  return encode({ type: "ack", clientMsgId: message.clientMsgId, seq: message.seq, ts: message.ts });
}

export function historyFrame(room: string, messages: ChatFrame[], hasOlder: boolean): string {
  return encode({ type: "history", room, messages, hasOlder });
}

export function typingFrame(room: string, user: User, active: boolean): string {
  return encode({ type: "typing", room, user: copyUser(user), active });
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
    left: fields.left.map(copyUser),
    renamed: fields.renamed.map((entry) => ({ user: copyUser(entry.user), previousName: entry.previousName })),
    memberCount: fields.memberCount,
  };
  if (fields.notice !== undefined) frame.notice = fields.notice;
  return frame;
}

export interface WelcomeFields {
  room: string;
  you: User;
  session: string;
  members: User[];
  memberCount: number;
  messages: ChatFrame[];
  latestSeq: number;
  complete: boolean;
  limits: ChatLimits;
}

export function welcomeFrame(fields: WelcomeFields): string {
  const { limits } = fields;
  const welcome: WelcomeFrame = {
    type: "welcome",
    protocol: PROTOCOL_VERSION,
    room: fields.room,
    you: copyUser(fields.you),
    session: fields.session,
    members: fields.members,
    memberCount: fields.memberCount,
    messages: fields.messages,
    latestSeq: fields.latestSeq,
    complete: fields.complete,
    limits: {
      maxTextLength: limits.maxTextLength,
      maxFrameBytes: limits.maxFrameBytes,
      ratePerSecond: limits.ratePerSecond,
      burst: limits.burst,
    },
  };
  return encode(welcome);
}

export function copyUser(user: User): User {
  return { id: user.id, name: user.name };
}
