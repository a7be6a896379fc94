import type { User } from "@chatroom/protocol";
import { type AccessStep, gateFor, metaOf } from "./access-ops";
import { checkModeration, type StoredRole } from "./access-rules";
import type { AccessReader, AccessWrite, Actor, BanEntry, MuteEntry } from "./access-state";
import type { ModerationBody } from "./moderation-event";

/** Staff acting on a room or one of its users: the state each action changes and the moderation event it appends. */

export type ModerationAction =
  | { action: "mute"; user: User; durationMs?: number }
  | { action: "unmute"; user: User }
  | { action: "kick"; user: User }
  | { action: "ban"; user: User; durationMs?: number; address?: boolean }
  | { action: "unban"; user: User }
  | { action: "slow-mode"; intervalMs: number }
  | { action: "lock"; locked: boolean }
  | { action: "role"; user: User; role: StoredRole }
  /** The caller checks the name (and its clash in the room); the store records who renamed whom. */
  | { action: "rename"; user: User; name: string };

/** A `moderate` request: gate (a)-(b), the rank rules, then the state change and its event. */
export function moderate(
  reader: AccessReader,
  request: { actor: Actor; clientMsgId: string } & ModerationAction,
  now: number,
): AccessStep<null> {
  const { actor, clientMsgId } = request;
  const gated = gateFor(reader, actor, "moderate", now);
  if (gated.refusal) return gated.refusal;
  const by = { id: actor.id, name: actor.name };
  const target = "user" in request ? reader.role(request.user.id) : undefined;
  const refused = checkModeration({
    action: request.action,
    actor: gated.role,
    target,
    ...(request.action === "role" ? { newRole: request.role } : {}),
    owners: ownerCount(reader),
  });
  if (refused) return refused;
  const writes: AccessWrite[] = [];
  const meta = metaOf(reader);
  const base = { by, clientMsgId };
  let body: ModerationBody;
  switch (request.action) {
    case "mute": {
      const mute: MuteEntry = { user: request.user, ...until(now, request.durationMs), by, ts: now };
      writes.push({ op: "mute", userId: request.user.id, mute });
      body = { ...base, action: "mute", user: request.user, ...durationOf(request.durationMs), ...until(now, request.durationMs) };
      break;
    }
    case "unmute":
      writes.push({ op: "mute", userId: request.user.id, mute: null });
      body = { ...base, action: "unmute", user: request.user };
      break;
    case "kick":
      writes.push(...removal(reader, request.user));
      body = { ...base, action: "kick", user: request.user };
      break;
    case "ban": {
      const addressHash = request.address ? reader.address(request.user.id) : undefined;
      const ban: BanEntry = {
        user: request.user,
        ...until(now, request.durationMs),
        ...(addressHash === undefined ? {} : { addressHash }),
        by,
        ts: now,
      };
      writes.push({ op: "ban", userId: request.user.id, ban }, ...removal(reader, request.user));
      if (addressHash !== undefined) {
        writes.push({ op: "address-ban", addressHash, ban: { userId: request.user.id, ...until(now, request.durationMs) } });
      }
      body = {
        ...base,
        action: "ban",
        user: request.user,
        ...durationOf(request.durationMs),
        ...until(now, request.durationMs),
        ...(request.address ? { address: true } : {}),
      };
      break;
    }
    case "unban": {
      const previous = reader.ban(request.user.id);
      writes.push({ op: "ban", userId: request.user.id, ban: null });
      if (previous?.addressHash !== undefined && reader.addressBan(previous.addressHash)?.userId === request.user.id) {
        writes.push({ op: "address-ban", addressHash: previous.addressHash, ban: null });
      }
      body = { ...base, action: "unban", user: request.user };
      break;
    }
    case "slow-mode":
      writes.push({ op: "meta", meta: { ...meta, slowModeMs: request.intervalMs } });
      body = { ...base, action: "slow-mode", intervalMs: request.intervalMs };
      break;
    case "lock":
      writes.push({ op: "meta", meta: { ...meta, locked: request.locked } });
      body = { ...base, action: "lock", locked: request.locked };
      break;
    case "role":
      writes.push(...roleWrites(reader, request.user, request.role));
      body = { ...base, action: "role", user: request.user, role: request.role };
      break;
    case "rename":
      body = { ...base, action: "rename", user: request.user, name: request.name, previousName: request.user.name };
      break;
  }
  return { ok: true, writes, events: [body], value: null };
}

function ownerCount(reader: AccessReader): number {
  return reader.roles().filter((entry) => entry.role === "owner").length;
}

function until(now: number, durationMs: number | undefined): { until?: number } {
  return durationMs === undefined ? {} : { until: now + durationMs };
}

function durationOf(durationMs: number | undefined): { durationMs?: number } {
  return durationMs === undefined ? {} : { durationMs };
}

/** The writes that take a user out of the room: their role, the pass they joined with, their membership. */
function removal(reader: AccessReader, user: User): AccessWrite[] {
  const writes: AccessWrite[] = [
    { op: "role", user, role: null },
    { op: "forget-membership", userId: user.id },
  ];
  const joined = reader.joinedPass(user.id);
  const pass = joined === undefined ? undefined : reader.pass(joined);
  if (joined !== undefined && pass) writes.push({ op: "pass", hash: joined, pass: { ...pass, revoked: true } });
  return writes;
}

/** Setting a role also sets the role of the pass the user joined with, so their other tabs get it. */
function roleWrites(reader: AccessReader, user: User, role: StoredRole): AccessWrite[] {
  const writes: AccessWrite[] = [{ op: "role", user, role }];
  const joined = reader.joinedPass(user.id);
  const pass = joined === undefined ? undefined : reader.pass(joined);
  if (joined !== undefined && pass && !pass.revoked) writes.push({ op: "pass", hash: joined, pass: { ...pass, role } });
  return writes;
}
