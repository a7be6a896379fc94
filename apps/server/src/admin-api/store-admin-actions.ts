import { randomUUID } from "node:crypto";
import type { User } from "@chatroom/protocol";
import type { ModerationAction } from "../backend/access-moderation";
import type { Actor } from "../backend/access-state";
import type { RoomAccessStore } from "../backend/access-store";
import type { ChangeKind, MessageStore } from "../backend/message-store";
import type { RoomDirectory } from "../chat/connection/context";
import { targetUser } from "../chat/target-user";
import type { HostAdminActions, HostAdminResult } from "./host-admin-actions";

export interface StoreAdminActionsOptions {
  messages: MessageStore;
  access: RoomAccessStore;
  /** This node's rooms: the stored event is delivered to the room here at once (other nodes get it over the bus). */
  rooms: Pick<RoomDirectory, "active">;
}

/**
 * The host admin API's actions on the real path: each is one `MessageStore.append` as the server
 * admin (rank and last-owner rules, state change and `moderation` event in the store's one atomic
 * step), then the event goes through the room like any moderation, so a kicked or banned user's
 * connections leave on every node. Each request gets a fresh `clientMsgId`: the API has no resends
 * to deduplicate, and ids of its own would collide with nothing a client sends (a client's dedupe
 * key is its own user id).
 */
export function storeAdminActions(options: StoreAdminActionsOptions): HostAdminActions {
  const { messages, access, rooms } = options;
  const actorFor = (by: User): Actor => ({ id: by.id, name: by.name, admin: true });

  async function append(room: string, actor: Actor, change: ChangeKind): Promise<HostAdminResult> {
    const result = await messages.append({ room, actor, clientMsgId: `admin-${randomUUID()}`, ...change });
    if (!result.ok) return { ok: false, code: result.code, message: result.message };
    if (result.event) rooms.active(room)?.deliver(result.event);
    return { ok: true, seq: result.ack.seq };
  }

  async function moderate(room: string, by: User, userId: string, build: (user: User) => ModerationAction): Promise<HostAdminResult> {
    const actor = actorFor(by);
    const user = await targetUser({ room, active: rooms.active(room), access, actor }, userId);
    return append(room, actor, { kind: "moderate", ...build(user) });
  }

  return {
    ban: ({ room, by, user, durationMs }) =>
      moderate(room, by, user, (target) => ({ action: "ban", user: target, ...(durationMs === undefined ? {} : { durationMs }) })),
    unban: ({ room, by, user }) => moderate(room, by, user, (target) => ({ action: "unban", user: target })),
    kick: ({ room, by, user }) => moderate(room, by, user, (target) => ({ action: "kick", user: target })),
    setRole: ({ room, by, user, role }) => moderate(room, by, user, (target) => ({ action: "role", user: target, role })),
    deleteMessage: ({ room, by, seq }) => append(room, actorFor(by), { kind: "delete", target: seq }),
  };
}
