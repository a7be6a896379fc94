import { CLOSE_CODES, type ClientFrame, type ClientFrameOf, type ClientFrameType } from "@chatroom/protocol";
import type { MessageStore } from "../../backend/message-store";
import type { SessionStore } from "../../backend/session-store";
import type { ChatDeps } from "../deps";
import { ackFrame, errorFrame, historyFrame, pongFrame } from "../frames";
import type { Room } from "../room/room";
import type { Budget, Budgets } from "./budgets";
import type { Seat } from "./seat";

/** What a live connection's frame handlers work with: its seat in one room, and the stores. */
export interface SeatContext {
  readonly deps: ChatDeps;
  readonly messages: MessageStore;
  readonly sessions: SessionStore;
  readonly room: Room;
  readonly seat: Seat;
  readonly budgets: Budgets;
  /** The session token the seat joined with. */
  readonly session: string;
}

type Handler<T extends ClientFrameType> = (context: SeatContext, frame: ClientFrameOf<T>) => Promise<void> | void;

/** One handler per client frame type: adding a frame type to the protocol fails to compile here until it is handled. */
const handlers: { [T in ClientFrameType]: Handler<T> } = {
  chat: handleChat,
  typing: (context, frame) => context.room.requestTyping(context.seat, frame.active),
  rename: handleRename,
  history: handleHistory,
  ping: (context, frame) => context.seat.write(pongFrame(frame.t)),
};

/** Runs the frame's handler; a throw, even a synchronous one, rejects the returned promise. */
export async function handleFrame(context: SeatContext, frame: ClientFrame): Promise<void> {
  return (handlers[frame.type] as Handler<ClientFrameType>)(context, frame);
}

async function handleChat(context: SeatContext, frame: ClientFrameOf<"chat">): Promise<void> {
  const { deps, room, seat, messages } = context;
  if (refuseIfLimited(context, "chat", frame.clientMsgId)) return;
  const from = room.userOf(seat);
  if (!from) {
    // Only a replaced connection outliving its user's grace gets here; every chat still gets an answer.
    seat.write(errorFrame("server_error", "this connection has left the room; reconnect", { clientMsgId: frame.clientMsgId }));
    return;
  }
  let result: Awaited<ReturnType<MessageStore["append"]>>;
  const writeStarted = performance.now();
  try {
    result = await messages.append({ room: room.name, from, text: frame.text, clientMsgId: frame.clientMsgId });
  } catch (error) {
    deps.metrics.storeWrite((performance.now() - writeStarted) / 1000, false);
    // No ack: the client keeps the message in its outbox and sends it again.
    deps.logger.error({ err: error, room: room.name }, "store write failed");
    seat.write(errorFrame("server_error", "the message was not stored; retry", { clientMsgId: frame.clientMsgId }));
    return;
  }
  const committed = performance.now();
  deps.metrics.storeWrite((committed - writeStarted) / 1000, true);
  const { message, duplicate } = result;
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

async function handleRename(context: SeatContext, frame: ClientFrameOf<"rename">): Promise<void> {
  const { room, seat } = context;
  // Every rename is a store write and a room-wide frame: it spends the same budget as a chat.
  if (refuseIfLimited(context, "chat")) return;
  const outcome = await room.rename(seat, frame.name);
  if (outcome === "taken") {
    seat.write(errorFrame("name_taken", `"${frame.name}" is already taken in this room`));
    return;
  }
  if (outcome === "renamed") await context.sessions.save(context.session, { userId: seat.userId, name: frame.name });
}

async function handleHistory(context: SeatContext, frame: ClientFrameOf<"history">): Promise<void> {
  const { room, seat } = context;
  if (refuseIfLimited(context, "history")) return;
  // Never past what this connection has been sent, so history and the live stream never overlap.
  const before = Math.min(frame.before, room.deliveredSeq + 1);
  const page = await context.messages.before(room.name, before, frame.limit);
  seat.write(historyFrame(room.name, page.messages, page.hasOlder));
}

/** Answers `rate_limited` when the budget is spent; returns whether the frame was refused. */
function refuseIfLimited(context: SeatContext, budget: Budget, clientMsgId?: string): boolean {
  const { deps, budgets, seat } = context;
  const now = deps.timers.now();
  const retryAfterMs = budgets.spend(budget, now);
  if (retryAfterMs === 0) return false;
  deps.metrics.rateLimited();
  seat.write(errorFrame("rate_limited", "slow down", clientMsgId === undefined ? { retryAfterMs } : { clientMsgId, retryAfterMs }));
  if (budgets.refusedTooOften(now)) seat.close(CLOSE_CODES.rateLimitAbuse.code, CLOSE_CODES.rateLimitAbuse.reason);
  return true;
}
