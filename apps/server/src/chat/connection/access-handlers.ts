import type { ChatFrame, ClientFrameOf } from "@chatroom/protocol";
import type { ModerationAction } from "../../backend/access-moderation";
import type { ReportEntry } from "../../backend/access-state";
import type { AccessResult } from "../../backend/access-store";
import { hashSecret, newSecret } from "../../security/secrets";
import {
  createdFrame,
  inviteCreatedFrame,
  inviteRevokedFrame,
  reportedFrame,
  reportFrame,
  reportInfoOf,
  reportResolvedFrame,
  roomAdminFrame,
} from "../access-frames";
import { ackFrame, errorFrame } from "../frames";
import { targetUser } from "../target-user";
import { actorOf } from "./actor";
import type { ConnectionContext, SeatContext } from "./context";
import { appendSpent, refuseIfLimited } from "./handlers";

/**
 * The [4/6] frames: `create` (no room joined yet), and in a joined room `moderate`, `invite`,
 * `revoke-invite`, `report`, `resolve-report` and `room-admin`. Each but `room-admin` is acked
 * like a chat, deduplicated on `(user, clientMsgId)` by the store and paced by the chat budget;
 * the store decides who may (access-rules.ts) in the step that assigns the seq.
 */

/** `create`: `created` with the owner's pass, once, then the ack with the seq of the `create` event. */
export async function handleCreate(connection: ConnectionContext, frame: ClientFrameOf<"create">): Promise<void> {
  const { services, identity, outlet } = connection;
  const about = { room: frame.room, clientMsgId: frame.clientMsgId };
  if (refuseIfLimited(connection, "chat", about)) return;
  const key = newSecret();
  const result = await services.access.createRoom({
    room: frame.room,
    actor: actorOf(identity, frame.room),
    clientMsgId: frame.clientMsgId,
    private: frame.private,
    passHash: hashSecret(key),
  });
  if (!result.ok) {
    outlet.write(errorFrame(result.code, result.message, about));
    return;
  }
  // A resend is acked only: the pass was shown once, to the first attempt.
  if (!result.duplicate) outlet.write(createdFrame(frame.room, frame.clientMsgId, key));
  outlet.write(ackFrame(result.ack, frame.clientMsgId));
  if (!result.duplicate) {
    const room = services.rooms.active(frame.room);
    for (const event of result.events) room?.deliver(event);
  }
}

/** `moderate`: the target resolved to a user (the name the room knows them by), then appended like a change. */
export async function handleModerate(context: SeatContext, frame: ClientFrameOf<"moderate">): Promise<void> {
  const { connection, room, seat } = context;
  const about = { room: room.name, clientMsgId: frame.clientMsgId };
  if (refuseIfLimited(connection, "chat", about)) return;
  let action: ModerationAction;
  switch (frame.action) {
    case "slow-mode":
      action = { action: "slow-mode", intervalMs: frame.intervalMs };
      break;
    case "lock":
      action = { action: "lock", locked: frame.locked };
      break;
    default: {
      const user = await targetUser(
        { room: room.name, active: room, access: connection.services.access, actor: actorOf(connection.identity, room.name) },
        frame.user,
      );
      if (frame.action === "rename") {
        if (room.nameTakenByOther(frame.name, frame.user)) {
          seat.write(errorFrame("name_taken", `"${frame.name}" is already taken in ${room.name}`, about));
          return;
        }
        action = { action: "rename", user, name: frame.name };
      } else if (frame.action === "mute") {
        action = { action: "mute", user, ...(frame.durationMs === undefined ? {} : { durationMs: frame.durationMs }) };
      } else if (frame.action === "ban") {
        action = {
          action: "ban",
          user,
          ...(frame.durationMs === undefined ? {} : { durationMs: frame.durationMs }),
          ...(frame.address ? { address: true } : {}),
        };
      } else if (frame.action === "role") action = { action: "role", user, role: frame.role };
      else action = { action: frame.action, user };
    }
  }
  await appendSpent(context, frame, { kind: "moderate", ...action });
}

export async function handleInvite(context: SeatContext, frame: ClientFrameOf<"invite">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "chat", { room: room.name, clientMsgId: frame.clientMsgId })) return;
  const code = newSecret();
  const result = await connection.services.access.createInvite({
    room: room.name,
    actor: actorOf(connection.identity, room.name, room.userOf(seat)?.name),
    clientMsgId: frame.clientMsgId,
    codeHash: hashSecret(code),
    role: frame.role,
    ...(frame.expiresInMs === undefined ? {} : { expiresInMs: frame.expiresInMs }),
    ...(frame.maxUses === undefined ? {} : { maxUses: frame.maxUses }),
  });
  answer(context, frame, result, (invite) => inviteCreatedFrame(room.name, frame.clientMsgId, invite, code));
}

export async function handleRevokeInvite(context: SeatContext, frame: ClientFrameOf<"revoke-invite">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "chat", { room: room.name, clientMsgId: frame.clientMsgId })) return;
  const result = await connection.services.access.revokeInvite({
    room: room.name,
    actor: actorOf(connection.identity, room.name, room.userOf(seat)?.name),
    clientMsgId: frame.clientMsgId,
    invite: frame.invite,
  });
  answer(context, frame, result, (invite) => inviteRevokedFrame(room.name, frame.clientMsgId, invite.id));
}

/** `report`: of a chat of the room that is not deleted; `reported` to the reporter, `report` to staff on every node. */
export async function handleReport(context: SeatContext, frame: ClientFrameOf<"report">): Promise<void> {
  const { connection, room, seat } = context;
  const about = { room: room.name, clientMsgId: frame.clientMsgId };
  if (refuseIfLimited(connection, "chat", about)) return;
  const chat = await chatAt(context, frame.target);
  if (!chat) {
    seat.write(errorFrame("not_found", "there is no chat with that seq in this room", about));
    return;
  }
  if (chat.deleted) {
    seat.write(errorFrame("gone", "that message was deleted", about));
    return;
  }
  const result = await connection.services.access.report({
    room: room.name,
    actor: actorOf(connection.identity, room.name, room.userOf(seat)?.name),
    clientMsgId: frame.clientMsgId,
    target: frame.target,
    reason: frame.reason,
  });
  answer(context, frame, result, (report) => reportedFrame(room.name, frame.clientMsgId, report.id));
  if (result.ok && !result.duplicate)
    connection.services.rooms.toStaff(room.name, reportFrame(room.name, reportInfoOf(result.value, chat)));
}

/** `resolve-report` (staff): `report-resolved` to the room's staff on every node, the resolver included, then the ack. */
export async function handleResolveReport(context: SeatContext, frame: ClientFrameOf<"resolve-report">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "chat", { room: room.name, clientMsgId: frame.clientMsgId })) return;
  const actor = actorOf(connection.identity, room.name, room.userOf(seat)?.name);
  const result = await connection.services.access.resolveReport({
    room: room.name,
    actor,
    clientMsgId: frame.clientMsgId,
    report: frame.report,
  });
  if (result.ok && !result.duplicate) {
    connection.services.rooms.toStaff(room.name, reportResolvedFrame(room.name, frame.report, actor, frame.clientMsgId));
  }
  answer(context, frame, result);
}

/** `room-admin` (staff): invites, bans and mutes in force, and open reports with their chats as they stand. */
export async function handleRoomAdmin(context: SeatContext, frame: ClientFrameOf<"room-admin">): Promise<void> {
  const { connection, room, seat } = context;
  // A read of several entries: paced like a history page.
  if (refuseIfLimited(connection, "history", { room: room.name })) return;
  const result = await connection.services.access.roomAdmin({ room: frame.room, actor: actorOf(connection.identity, frame.room) });
  if (!result.ok) {
    seat.write(errorFrame(result.code, result.message, { room: room.name }));
    return;
  }
  if (result.duplicate) return;
  const { invites, bans, mutes } = result.value;
  const reports = await Promise.all(
    result.value.reports.map(async (report: ReportEntry) => reportInfoOf(report, liveChat(await chatAt(context, report.target)))),
  );
  seat.write(roomAdminFrame(room.name, { invites, bans, mutes, reports }));
}

/** The room's chat at `seq` as it stands, if there is one. */
async function chatAt(context: SeatContext, seq: number): Promise<ChatFrame | undefined> {
  const { messages } = await context.connection.services.messages.range(context.room.name, { after: seq - 1, upTo: seq, limit: 1 });
  const event = messages[0];
  return event?.type === "chat" && event.seq === seq ? event : undefined;
}

function liveChat(chat: ChatFrame | undefined): ChatFrame | undefined {
  return chat?.deleted ? undefined : chat;
}

/** A refusal as an error, else the frame's own answer (not to a resend: a code is shown once) and the ack. */
function answer<T>(
  context: SeatContext,
  frame: { clientMsgId: string },
  result: AccessResult<T>,
  answerFrame?: (value: T) => string,
): void {
  const { room, seat } = context;
  if (!result.ok) {
    seat.write(errorFrame(result.code, result.message, { room: room.name, clientMsgId: frame.clientMsgId }));
    return;
  }
  if (!result.duplicate && answerFrame) seat.write(answerFrame(result.value));
  seat.write(ackFrame(result.ack, frame.clientMsgId));
}
