import { rankOf, type User } from "@chatroom/protocol";
import type { ChangeKind } from "../../backend/message-store";
import { resolveMentions } from "../room/mention-resolver";
import type { SeatContext } from "./context";

/**
 * Resolves a chat's or an edit's mentions just before its append, so the store keeps them and
 * every recipient (live, in pages, on every node) gets the same ones: the users the text names
 * among the room's directory, and `@room`: staff's always counts; anyone else's counts in a room
 * of at most `roomMentionMembersMax` members, which the store decides in the append's atomic step
 * (it knows the member count). Otherwise `@room` stays text; the chat is stored either way.
 *
 * Synchronous on purpose: appends are issued in the order their frames came, and a frame after
 * this one (a chat, a `leave`) must not overtake it.
 */
export function withMentions(context: SeatContext, change: ChangeKind, author: User): ChangeKind {
  if ((change.kind !== "chat" && change.kind !== "edit") || !change.text.includes("@")) return change;
  const { room, connection } = context;
  const { limits, logger } = connection.services.deps;
  // Read again if reading it when the room started failed (a no-op once read).
  room.loadRecentAuthors().catch((error: unknown) => logger.warn({ err: error, room: room.name }, "could not read recent authors"));
  const found = resolveMentions(change.text, room.mentionDirectory(), limits.mentionsMax);
  const staff = rankOf(author.role ?? "member") >= rankOf("moderator");
  return {
    ...change,
    ...(found.users.length > 0 ? { mentions: found.users } : {}),
    ...(found.room && staff ? { mentionsRoom: true as const } : {}),
    ...(found.room && !staff ? { roomMentionMembersMax: limits.roomMentionMembersMax } : {}),
  };
}
