import type { ChangeEvent, ChatFrame, RoomEvent, User } from "@chatroom/protocol";
import type { Backend } from "../../src/backend/backend";
import type { AppendResult, ChangeKind, ChangeRequest } from "../../src/backend/message-store";

/** What the contract suites need to say about appends, in one place. */

/** The chat a successful chat append stored, as sent; throws (failing the test) on anything else. */
export function chatOf(result: AppendResult): ChatFrame {
  if (!result.ok) throw new Error(`expected a stored chat, got a refusal: ${result.code}`);
  if (result.event?.type !== "chat") throw new Error(`expected a stored chat, got ${JSON.stringify(result.event)}`);
  return result.event;
}

/** The change event a successful append stored. */
export function changeOf(result: AppendResult): ChangeEvent {
  if (!result.ok) throw new Error(`expected a stored change, got a refusal: ${result.code}`);
  if (!result.event || result.event.type === "chat" || result.event.type === "moderation") {
    throw new Error(`expected a stored change, got ${JSON.stringify(result.event)}`);
  }
  return result.event;
}

export async function appendChat(backend: Backend, request: ChangeRequest): Promise<ChatFrame> {
  return chatOf(await backend.messages.append(request));
}

/** A chat as pages show it when nothing has changed it since it was sent: `rev` is its own seq. */
export function standing(chat: ChatFrame | undefined): ChatFrame | undefined {
  return chat && { ...chat, rev: chat.seq };
}

/** Appends changes for one room, each with a fresh clientMsgId unless it names one. */
export function changesIn(backend: Backend, room: string) {
  let sent = 0;
  const append = (from: User, change: ChangeKind, clientMsgId = `${change.kind}-${++sent}`) =>
    backend.messages.append({ room, from, clientMsgId, ...change });
  return {
    append,
    async chat(from: User, text: string, replyTo?: number): Promise<ChatFrame> {
      return chatOf(await append(from, { kind: "chat", text, ...(replyTo === undefined ? {} : { replyTo }) }));
    },
    async edit(from: User, target: number, text: string, editWindowMs?: number): Promise<ChangeEvent> {
      return changeOf(await append(from, { kind: "edit", target, text, ...(editWindowMs === undefined ? {} : { editWindowMs }) }));
    },
    async remove(from: User, target: number): Promise<ChangeEvent> {
      return changeOf(await append(from, { kind: "delete", target }));
    },
    async react(from: User, target: number, emoji: string, on = true): Promise<ChangeEvent> {
      return changeOf(await append(from, { kind: "react", target, emoji, on }));
    },
    /** Every event of the room as a resume reads it. */
    async all(): Promise<RoomEvent[]> {
      const latest = await backend.messages.latestSeq(room);
      return (await backend.messages.range(room, { after: 0, upTo: latest, limit: latest + 1 })).messages;
    },
    /** The chat at `seq` as it stands. */
    async chatAt(seq: number): Promise<ChatFrame | undefined> {
      const page = await backend.messages.before(room, seq + 1, 1);
      return page.messages.find((chat) => chat.seq === seq);
    },
  };
}
