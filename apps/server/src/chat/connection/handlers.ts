import { CLOSE_CODES, type ClientFrameOf } from "@chatroom/protocol";
import type { AppendResult, ChangeKind } from "../../backend/message-store";
import { ackFrame, aroundPageFrame, type ErrorFrameExtra, errorFrame, newerPageFrame, olderPageFrame } from "../frames";
import { handleInvite, handleModerate, handleReport, handleResolveReport, handleRevokeInvite, handleRoomAdmin } from "./access-handlers";
import { actorOf } from "./actor";
import type { Budget } from "./budgets";
import type { ConnectionContext, SeatContext } from "./context";
import { withMentions } from "./mention-step";

/**
 * The frames a joined room's seat handles; `join` and `leave` change which rooms are joined
 * instead, and `create` names a room nobody has joined yet.
 */
export type SeatFrame = ClientFrameOf<
  | "chat"
  | "edit"
  | "delete"
  | "react"
  | "typing"
  | "history"
  | "read"
  | "moderate"
  | "invite"
  | "revoke-invite"
  | "report"
  | "resolve-report"
  | "room-admin"
  | "notify"
>;
type SeatFrameType = SeatFrame["type"];

type Handler<T extends SeatFrameType> = (context: SeatContext, frame: ClientFrameOf<T>) => Promise<void> | void;

/** One handler per room frame type: a new room frame in the protocol fails to compile here until it is handled. */
const handlers: { [T in SeatFrameType]: Handler<T> } = {
  chat: (context, frame) =>
    appendChange(context, frame, { kind: "chat", text: frame.text, ...(frame.replyTo === undefined ? {} : { replyTo: frame.replyTo }) }),
  edit: (context, frame) => {
    const { editWindowMs } = context.connection.services.deps.limits;
    return appendChange(context, frame, {
      kind: "edit",
      target: frame.target,
      text: frame.text,
      ...(editWindowMs === undefined ? {} : { editWindowMs }),
    });
  },
  delete: (context, frame) => appendChange(context, frame, { kind: "delete", target: frame.target }),
  react: (context, frame) => appendChange(context, frame, { kind: "react", target: frame.target, emoji: frame.emoji, on: frame.on }),
  typing: (context, frame) => context.room.requestTyping(context.seat, frame.active),
  history: handleHistory,
  read: handleRead,
  moderate: handleModerate,
  invite: handleInvite,
  "revoke-invite": handleRevokeInvite,
  report: handleReport,
  "resolve-report": handleResolveReport,
  "room-admin": handleRoomAdmin,
  notify: handleNotify,
};

/** Runs the frame's handler; a throw, even a synchronous one, rejects the returned promise. */
export async function handleSeatFrame(context: SeatContext, frame: SeatFrame): Promise<void> {
  return (handlers[frame.type] as Handler<SeatFrameType>)(context, frame);
}

/**
 * A chat, edit, delete, react or moderate: one budget (the chat rate limit), one store append that
 * checks and applies it, then the ack, then the event to the room's ordered stream, which fans out
 * every kind in seq order (and applies a moderation event's effects as it passes, on every node).
 * A refusal is an `error` frame naming the room and the clientMsgId.
 */
export async function appendChange(context: SeatContext, frame: { clientMsgId: string }, change: ChangeKind): Promise<void> {
  if (refuseIfLimited(context.connection, "chat", { room: context.room.name, clientMsgId: frame.clientMsgId })) return;
  await appendSpent(context, frame, change);
}

/** `appendChange` once its budget is spent (a moderate frame spends it before resolving its target). */
export async function appendSpent(context: SeatContext, frame: { clientMsgId: string }, change: ChangeKind): Promise<void> {
  const { connection, room, seat } = context;
  const { deps, messages } = connection.services;
  const about = { room: room.name, clientMsgId: frame.clientMsgId };
  const from = room.userOf(seat);
  if (!from) {
    // Only a replaced connection outliving its user's grace gets here; every change still gets an answer.
    seat.write(errorFrame("server_error", "this connection has left the room; reconnect", about));
    return;
  }
  let result: AppendResult;
  const writeStarted = performance.now();
  try {
    // Resolved before the append and stored with it: what every recipient gets (mention-step.ts).
    const resolved = await withMentions(context, change, from);
    result = await messages.append({
      room: room.name,
      actor: actorOf(connection.identity, room.name, from.name),
      clientMsgId: frame.clientMsgId,
      ...resolved,
    });
  } catch (error) {
    deps.metrics.storeWrite((performance.now() - writeStarted) / 1000, false);
    // No ack: the client keeps the change in its outbox and sends it again.
    deps.logger.error({ err: error, room: room.name }, "store write failed");
    seat.write(errorFrame("server_error", "the change was not stored; retry", about));
    return;
  }
  const committed = performance.now();
  deps.metrics.storeWrite((committed - writeStarted) / 1000, true);
  if (!result.ok) {
    seat.write(
      errorFrame(result.code, result.message, {
        ...about,
        ...(result.retryAfterMs === undefined ? {} : { retryAfterMs: result.retryAfterMs }),
      }),
    );
    return;
  }
  const { ack, event, duplicate } = result;
  // The ack names the room the change is stored in: a resend of an id already used in another
  // room is acked as that room's, so the client settles its outbox entry either way.
  seat.write(ackFrame(ack, frame.clientMsgId));
  // A reaction that changed nothing has no event; its ack's seq is where the state already says so.
  if (!event) return;
  // A resend: its first attempt may have been stored while its reply was lost, before this node
  // fanned it out (other nodes' echoes of it are not this node's to deliver). The room drops it
  // if it already has it. Dedupe spans rooms, so the original may be another room's event (an id
  // reused across rooms): that one is never this room's to deliver.
  if (duplicate) {
    if (event.room === room.name) room.deliver(event);
    return;
  }
  if (change.kind === "chat") room.stopTyping(seat);
  room.deliver(event);
  deps.metrics.fanOut((performance.now() - committed) / 1000);
}

async function handleHistory(context: SeatContext, frame: ClientFrameOf<"history">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "history", { room: room.name })) return;
  const { messages } = connection.services;
  // Never past what this connection has been sent, so history and the live stream never overlap:
  // everything up to here has been fanned out, and `flush` writes what is still queued before the page.
  const upTo = room.deliveredSeq;
  if (frame.around !== undefined) {
    const page = await messages.around(room.name, frame.around, upTo, frame.limit);
    room.flush();
    seat.write(aroundPageFrame(room.name, page));
    return;
  }
  if (frame.after !== undefined) {
    const page = await messages.after(room.name, frame.after, upTo, frame.limit);
    room.flush();
    seat.write(newerPageFrame(room.name, page.messages, page.hasNewer));
    return;
  }
  const before = Math.min(frame.before ?? upTo + 1, upTo + 1);
  const page = await messages.before(room.name, before, frame.limit);
  room.flush();
  seat.write(olderPageFrame(room.name, page.messages, page.hasOlder));
}

async function handleRead(context: SeatContext, frame: ClientFrameOf<"read">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "read", { room: room.name })) return;
  const { services, identity } = connection;
  try {
    // Forward only and clamped to the room's latest seq by the store; no answer frame.
    await services.memberships.markRead(identity.userId, room.name, frame.seq);
  } catch (error) {
    services.deps.logger.error({ err: error, room: room.name }, "read marker write failed");
    seat.write(errorFrame("server_error", "the read marker was not stored; retry", { room: room.name }));
  }
}

/**
 * A notification level: stored with the membership, then sent to every connection of the user
 * joined to the room, this one included, on every node. A store write like a read marker, so it
 * spends the read markers' budget.
 */
async function handleNotify(context: SeatContext, frame: ClientFrameOf<"notify">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "read", { room: room.name })) return;
  const { services, identity } = connection;
  let stored: boolean;
  try {
    stored = await services.memberships.setNotify(identity.userId, room.name, frame.level);
  } catch (error) {
    services.deps.logger.error({ err: error, room: room.name }, "notification level write failed");
    seat.write(errorFrame("server_error", "the notification level was not stored; retry", { room: room.name }));
    return;
  }
  // Joined here but no longer a member: the membership ended on another connection meanwhile.
  if (!stored) {
    seat.write(errorFrame("not_joined", `room ${room.name} is not one of your memberships`, { room: room.name }));
    return;
  }
  services.rooms.notifyUser(room.name, identity.userId, frame.level);
}

/** Answers `rate_limited` when the budget is spent; returns whether the frame was refused. */
export function refuseIfLimited(connection: ConnectionContext, budget: Budget, about: Omit<ErrorFrameExtra, "retryAfterMs"> = {}): boolean {
  const { services, budgets, outlet } = connection;
  const { deps } = services;
  const now = deps.timers.now();
  const retryAfterMs = budgets.spend(budget, now);
  if (retryAfterMs === 0) return false;
  deps.metrics.rateLimited();
  outlet.write(errorFrame("rate_limited", "slow down", { ...about, retryAfterMs }));
  if (budgets.refusedTooOften(now)) outlet.close(CLOSE_CODES.rateLimitAbuse.code, CLOSE_CODES.rateLimitAbuse.reason);
  return true;
}
