import type { ChatFrame, RoomEvent } from "@chatroom/protocol";
import type { Outbox } from "../outbox/outbox";
import type { Taken } from "./history-intake";
import type { MessageLog } from "./message-log";
import type { Typing } from "./typing";

export interface IntakeParts {
  log: MessageLog;
  outbox: Outbox;
  typing: Typing;
  /** Our user id, once known. */
  meId: string | undefined;
}

/**
 * What follows from events reaching the log, whatever their source: our own echoes (a chat, an
 * edit, a delete, a reaction, matched by `clientMsgId`) leave the outbox, and so do acked entries
 * the log is now past; whoever posted a new chat has stopped typing. Returns the new chats from
 * others, for the live stream to announce.
 */
export function landed(taken: Taken, parts: IntakeParts): ChatFrame[] {
  const { outbox, typing, log, meId } = parts;
  for (const event of taken.events) {
    if (authorOf(event) === meId && event.clientMsgId) outbox.remove(event.clientMsgId);
  }
  outbox.settle((seq) => log.isPast(seq));
  const fromOthers: ChatFrame[] = [];
  for (const message of taken.fresh) {
    typing.forget(message.from.id);
    if (message.from.id !== meId) fromOthers.push(message);
  }
  return fromOthers;
}

function authorOf(event: RoomEvent): string {
  return event.type === "chat" ? event.from.id : event.by.id;
}
