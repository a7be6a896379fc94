import type { ErrorCode, User } from "@chatroom/protocol";

/** Who the host admin API acts as: the server admin (spec §6), the `by` of the events it causes. */
export const HOST_ADMIN_ACTOR: Readonly<User> = Object.freeze({ id: "admin", name: "admin" });

export type HostRole = "member" | "moderator" | "owner";

/** Every request names the room and carries the actor, so the store records `by` = admin. */
interface RoomRequest {
  room: string;
  by: User;
}

/** The event's seq, or the refusal as a code of the protocol's one error table. */
export type HostAdminResult = { ok: true; seq: number } | { ok: false; code: ErrorCode; message: string };

/**
 * What the host admin API needs from the chat: five moderation actions, each one store step that
 * appends the room event (and on kick/ban makes the user leave on every node). Wired to the store
 * by store-admin-actions.ts; the HTTP layer knows nothing else of rooms.
 */
export interface HostAdminActions {
  ban(request: RoomRequest & { user: string; durationMs?: number }): Promise<HostAdminResult>;
  unban(request: RoomRequest & { user: string }): Promise<HostAdminResult>;
  kick(request: RoomRequest & { user: string }): Promise<HostAdminResult>;
  setRole(request: RoomRequest & { user: string; role: HostRole }): Promise<HostAdminResult>;
  deleteMessage(request: RoomRequest & { seq: number }): Promise<HostAdminResult>;
}
