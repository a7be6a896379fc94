import { rankOf, type User } from "@chatroom/protocol";
import type { ChangeKind } from "../../backend/message-store";
import { resolveMentions } from "../room/mention-resolver";
import type { SeatContext } from "./context";

/**
 * Resolves a chat's or an edit's mentions just before its append, so the store keeps them and
 * every recipient (live, in pages, on every node) gets the same ones: the users the text names
 * among the room's directory, and `@room` when the author may say it here: staff anywhere, anyone
 * in a room of at most `roomMentionMembersMax` members (users holding a membership). Otherwise
 * `@room` stays text; the chat is stored either way. Other changes pass through as they are.
 */
export async function withMentions(context: SeatContext, change: ChangeKind, author: User): Promise<ChangeKind> {
  if ((change.kind !== "chat" && change.kind !== "edit") || !change.text.includes("@")) return change;
  const { room, connection } = context;
  const { deps, memberships } = connection.services;
  const found = resolveMentions(change.text, await room.mentionDirectory(), deps.limits.mentionsMax);
  const staff = rankOf(author.role ?? "member") >= rankOf("moderator");
  // Only a text that says `@room` pays for the count.
  const mentionsRoom = found.room && (staff || (await memberships.memberCount(room.name)) <= deps.limits.roomMentionMembersMax);
  return {
    ...change,
    ...(found.users.length > 0 ? { mentions: found.users } : {}),
    ...(mentionsRoom ? { mentionsRoom: true as const } : {}),
  };
}
