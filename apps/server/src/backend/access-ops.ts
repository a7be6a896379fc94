import type { AccessRefusal, GateInput, Role } from "./access-rules";
import { checkStaff, effectiveRole, gate, mayDeleteOthers } from "./access-rules";
import { type AccessReader, type AccessWrite, type Actor, OPEN_ROOM, type RoomMeta } from "./access-state";
import type { ModerationBody } from "./moderation-event";

/**
 * The access operations, once for every store: each reads one room's state through an
 * `AccessReader` and answers a refusal, or the writes to apply and the moderation events to
 * append (each with the room's next seq), in that atomic step. The rules are access-rules.ts's.
 * What every operation shares is here: the step's shape, the actor's standing and the gate. The
 * operations themselves: joining and creating a room (access-admission.ts), `moderate`
 * (access-moderation.ts), invites, reports and the staff view (access-desk.ts).
 */

/** What one operation decided: refused, or its writes, its events (in order) and its answer. */
export type AccessStep<T> = AccessRefusal | { ok: true; writes: AccessWrite[]; events: ModerationBody[]; value: T };

export function metaOf(reader: AccessReader): RoomMeta {
  return reader.meta() ?? OPEN_ROOM;
}

/** The actor's effective role and membership, from the stored role and what the actor holds. */
export function actorStanding(reader: AccessReader, actor: Actor): { role: Role; member: boolean } {
  const stored = reader.role(actor.id);
  const role = effectiveRole({ stored, claimed: actor.claimedRole, admin: actor.admin });
  return { role, member: stored !== undefined || actor.claimedRole !== undefined || actor.admin === true };
}

/** The gate of a change ([4/6] §4 (a)-(e)); `lastChatTs` where the store knows it (the user's last chat while slow mode is on). */
export function gateFor(
  reader: AccessReader,
  actor: Actor,
  kind: GateInput["kind"],
  now: number,
  lastChatTs?: number,
): { refusal?: AccessRefusal; role: Role } {
  const { role, member } = actorStanding(reader, actor);
  const addressBan = actor.addressHash === undefined ? undefined : reader.addressBan(actor.addressHash);
  const refusal = gate({
    kind,
    now,
    role,
    member,
    room: metaOf(reader),
    ban: reader.ban(actor.id),
    addressBan,
    mute: reader.mute(actor.id),
    ...(lastChatTs === undefined ? {} : { lastChatTs }),
  });
  return refusal ? { refusal, role } : { role };
}

/** Whether `role` may delete a chat by `authorId` that is not theirs. */
export function deletesOthers(reader: AccessReader, role: Role, authorId: string): boolean {
  return mayDeleteOthers(role, reader.role(authorId));
}

/** The gate of a staff-only request: the actor may be in the room, and is staff there. */
export function staffGate(reader: AccessReader, actor: Actor, now: number): AccessRefusal | undefined {
  const gated = gateFor(reader, actor, "moderate", now);
  return gated.refusal ?? checkStaff(gated.role);
}
