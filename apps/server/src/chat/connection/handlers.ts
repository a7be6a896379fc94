import { CLOSE_CODES, type ClientFrameOf } from "@chatroom/protocol";
import type { AppendResult } from "../../backend/message-store";
import { ackFrame, type ErrorFrameExtra, errorFrame, newerPageFrame, olderPageFrame } from "../frames";
import type { Budget } from "./budgets";
import type { ConnectionContext, SeatContext } from "./context";

/** The frames a joined room's seat handles; `join` and `leave` change which rooms are joined instead. */
export type SeatFrame = ClientFrameOf<"chat" | "typing" | "history" | "read">;
type SeatFrameType = SeatFrame["type"];

type Handler<T extends SeatFrameType> = (context: SeatContext, frame: ClientFrameOf<T>) => Promise<void> | void;

/** One handler per room frame type: a new room frame in the protocol fails to compile here until it is handled. */
const handlers: { [T in SeatFrameType]: Handler<T> } = {
  chat: handleChat,
  typing: (context, frame) => context.room.requestTyping(context.seat, frame.active),
  history: handleHistory,
  read: handleRead,
};

/** Runs the frame's handler; a throw, even a synchronous one, rejects the returned promise. */
export async function handleSeatFrame(context: SeatContext, frame: SeatFrame): Promise<void> {
  return (handlers[frame.type] as Handler<SeatFrameType>)(context, frame);
}

async function handleChat(context: SeatContext, frame: ClientFrameOf<"chat">): Promise<void> {
  const { connection, room, seat } = context;
  const { deps, messages } = connection.services;
  const about = { room: room.name, clientMsgId: frame.clientMsgId };
  if (refuseIfLimited(connection, "chat", about)) return;
  const from = room.userOf(seat);
  if (!from) {
    // Only a replaced connection outliving its user's grace gets here; every chat still gets an answer.
    seat.write(errorFrame("server_error", "this connection has left the room; reconnect", about));
    return;
  }
  let result: AppendResult;
  const writeStarted = performance.now();
  try {
    result = await messages.append({ room: room.name, from, text: frame.text, clientMsgId: frame.clientMsgId });
  } catch (error) {
    deps.metrics.storeWrite((performance.now() - writeStarted) / 1000, false);
    // No ack: the client keeps the message in its outbox and sends it again.
    deps.logger.error({ err: error, room: room.name }, "store write failed");
    seat.write(errorFrame("server_error", "the message was not stored; retry", about));
    return;
  }
  const committed = performance.now();
  deps.metrics.storeWrite((committed - writeStarted) / 1000, true);
  const { message, duplicate } = result;
  // The ack names the room the message is stored in: a resend of an id already used in another
  // room is acked as that room's message, so the client settles its outbox entry either way.
  seat.write(ackFrame(message));
  // A resend: its first attempt may have been stored while its reply was lost, before this node
  // fanned it out (other nodes' echoes of it are not this node's to deliver). The room drops it
  // if it already has it. Dedupe spans rooms, so the original may be another room's message
  // (an id reused across rooms): that one is never this room's to deliver.
  if (duplicate) {
    if (message.room === room.name) room.deliver(message);
    return;
  }
  room.stopTyping(seat);
  room.deliver(message);
  deps.metrics.fanOut((performance.now() - committed) / 1000);
}

async function handleHistory(context: SeatContext, frame: ClientFrameOf<"history">): Promise<void> {
  const { connection, room, seat } = context;
  if (refuseIfLimited(connection, "history", { room: room.name })) return;
  const { messages } = connection.services;
  // Never past what this connection has been sent, so history and the live stream never overlap:
  // everything up to here has been fanned out, and `flush` writes what is still queued before the page.
  const upTo = room.deliveredSeq;
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
