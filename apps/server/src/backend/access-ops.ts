import type { StaffMember, User } from "@chatroom/protocol";
import {
  ACCESS_REFUSALS,
  type AccessRefusal,
  checkInvite,
  checkModeration,
  checkStaff,
  effectiveRole,
  type GateInput,
  gate,
  higherRole,
  isActive,
  isStaff,
  mayDeleteOthers,
  type Role,
  rankOf,
  type StoredRole,
} from "./access-rules";
import {
  type AccessReader,
  type AccessWrite,
  type Actor,
  type BanEntry,
  type InviteEntry,
  type MuteEntry,
  OPEN_ROOM,
  type ReportEntry,
  type RoomMeta,
} from "./access-state";
import type { ModerationBody } from "./moderation-event";

/**
 * The access operations, once for every store: each reads one room's state through an
 * `AccessReader` and answers a refusal, or the writes to apply and the moderation events to
 * append (each with the room's next seq), in that atomic step. The rules are access-rules.ts's.
 */

/** What one operation decided: refused, or its writes, its events (in order) and its answer. */
export type AccessStep<T> = AccessRefusal | { ok: true; writes: AccessWrite[]; events: ModerationBody[]; value: T };

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

/** A stored role with its user: staff, and the members a private room admits. */
export type RoleHolder = { id: string; name: string; role: StoredRole };

export interface AdmitOutcome {
  /** Effective: the stored role (after this admission), the claimed one, or admin. */
  role: Role;
  private: boolean;
  locked: boolean;
  slowModeMs: number;
  /** Every stored staff member of the room, online or not, by rank then name. */
  staff: StaffMember[];
  /** Present when muted: until that ts, or null for good. */
  mutedUntil?: number | null;
  /** True when this admission redeemed an invite and minted the pass the request named. */
  passMinted: boolean;
}

export type Credential = { kind: "pass"; passHash: string } | { kind: "invite"; inviteHash: string; newPassHash: string };

export interface RoomAdminView {
  invites: InviteEntry[];
  bans: BanEntry[];
  mutes: MuteEntry[];
  reports: ReportEntry[];
  /** Every stored role, staff and private-room members alike. */
  roles: RoleHolder[];
}

export function metaOf(reader: AccessReader): RoomMeta {
  return reader.meta() ?? OPEN_ROOM;
}

/** The actor's effective role and membership, from the stored role and what the actor holds. */
export function actorStanding(reader: AccessReader, actor: Actor): { role: Role; member: boolean } {
  const stored = reader.role(actor.id);
  const role = effectiveRole({ stored, claimed: actor.claimedRole, admin: actor.admin });
  return { role, member: stored !== undefined || actor.claimedRole !== undefined || actor.admin === true };
}

/** The gate of a change ([4/6] §4 (a)-(e)); `lastChatTs` where the store knows it (Redis checks slow mode in its script). */
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

function staffOf(reader: AccessReader): StaffMember[] {
  return reader
    .roles()
    .flatMap((entry) => (isStaff(entry.role) ? [{ id: entry.user.id, name: entry.user.name, role: entry.role }] : []))
    .sort((a, b) => rankOf(b.role) - rankOf(a.role) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function ownerCount(reader: AccessReader): number {
  return reader.roles().filter((entry) => entry.role === "owner").length;
}

function until(now: number, durationMs: number | undefined): { until?: number } {
  return durationMs === undefined ? {} : { until: now + durationMs };
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

function durationOf(durationMs: number | undefined): { durationMs?: number } {
  return durationMs === undefined ? {} : { durationMs };
}

/** Setting a role also sets the role of the pass the user joined with, so their other tabs get it. */
function roleWrites(reader: AccessReader, user: User, role: StoredRole): AccessWrite[] {
  const writes: AccessWrite[] = [{ op: "role", user, role }];
  const joined = reader.joinedPass(user.id);
  const pass = joined === undefined ? undefined : reader.pass(joined);
  if (joined !== undefined && pass && !pass.revoked) writes.push({ op: "pass", hash: joined, pass: { ...pass, role } });
  return writes;
}

/**
 * A join: (a) banned; then the credential (an invite is redeemed against its expiry and use limit
 * and mints the pass the request names; a pass raises the stored role to its own); a claimed role
 * raises it too; then (b) a private room's non-member. Raising a role to staff appends a `role`
 * event by the user themself with `via`. A pass that is unknown or revoked is ignored, like none.
 */
export function admit(reader: AccessReader, request: { actor: Actor; credential?: Credential }, now: number): AccessStep<AdmitOutcome> {
  const { actor, credential } = request;
  const user = { id: actor.id, name: actor.name };
  const gated = gateFor(reader, actor, "moderate", now);
  if (gated.refusal?.code === "banned") return gated.refusal;
  const writes: AccessWrite[] = [];
  const events: ModerationBody[] = [];
  let stored = reader.role(actor.id);
  let passMinted = false;
  const raise = (role: StoredRole, via: "invite" | "key" | "token") => {
    const next = higherRole(stored ?? "member", role);
    if (stored !== undefined && next === stored) return;
    stored = next;
    writes.push({ op: "role", user, role: next });
    if (isStaff(next)) events.push({ by: user, clientMsgId: "", action: "role", user, role: next, via });
  };
  if (credential?.kind === "invite") {
    const invite = reader.inviteByCode(credential.inviteHash);
    const usable =
      invite &&
      !invite.revoked &&
      (invite.expiresAt === undefined || invite.expiresAt > now) &&
      (invite.maxUses === undefined || invite.uses < invite.maxUses);
    if (!usable) return ACCESS_REFUSALS.inviteInvalid;
    writes.push({ op: "invite", invite: { ...invite, uses: invite.uses + 1 } });
    writes.push({ op: "pass", hash: credential.newPassHash, pass: { role: invite.role, revoked: false } });
    writes.push({ op: "joined-pass", userId: actor.id, hash: credential.newPassHash });
    passMinted = true;
    raise(invite.role, "invite");
  } else if (credential?.kind === "pass") {
    const pass = reader.pass(credential.passHash);
    if (pass && !pass.revoked) {
      if (reader.joinedPass(actor.id) !== credential.passHash) {
        writes.push({ op: "joined-pass", userId: actor.id, hash: credential.passHash });
      }
      raise(pass.role, "key");
    }
  }
  if (actor.claimedRole !== undefined) raise(actor.claimedRole, "token");
  const meta = metaOf(reader);
  if (meta.private && stored === undefined && !actor.admin) return ACCESS_REFUSALS.notMember;
  if (actor.addressHash !== undefined && reader.address(actor.id) !== actor.addressHash) {
    writes.push({ op: "address", userId: actor.id, addressHash: actor.addressHash });
  }
  const mute = reader.mute(actor.id);
  const staff = staffOf(reader).filter((member) => member.id !== actor.id);
  if (stored !== undefined && isStaff(stored)) staff.push({ ...user, role: stored });
  staff.sort((a, b) => rankOf(b.role) - rankOf(a.role) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const value: AdmitOutcome = {
    role: effectiveRole({ stored, claimed: actor.claimedRole, admin: actor.admin }),
    private: meta.private,
    locked: meta.locked,
    slowModeMs: meta.slowModeMs,
    staff,
    ...(isActive(mute, now) ? { mutedUntil: mute?.until ?? null } : {}),
    passMinted,
  };
  return { ok: true, writes, events, value };
}

/**
 * `create`: refused when the room exists; else its meta, the creator as owner, the owner pass, and
 * the `create` event that opens the room's log (seq 1: a client replaying the log sees who owns it).
 */
export function createRoom(
  reader: AccessReader,
  request: { actor: Actor; clientMsgId: string; private: boolean; passHash: string },
  now: number,
): AccessStep<null> {
  if (reader.exists()) return ACCESS_REFUSALS.roomExists;
  const user = { id: request.actor.id, name: request.actor.name };
  const writes: AccessWrite[] = [
    { op: "meta", meta: { private: request.private, locked: false, slowModeMs: 0, created: { by: user, ts: now } } },
    { op: "role", user, role: "owner" },
    { op: "pass", hash: request.passHash, pass: { role: "owner", revoked: false } },
    { op: "joined-pass", userId: user.id, hash: request.passHash },
  ];
  if (request.actor.addressHash !== undefined) writes.push({ op: "address", userId: user.id, addressHash: request.actor.addressHash });
  const event: ModerationBody = { by: user, clientMsgId: request.clientMsgId, action: "create", private: request.private };
  return { ok: true, writes, events: [event], value: null };
}

export interface InviteRequest {
  actor: Actor;
  /** Made by the caller (unguessable); the store keeps it as the invite's id. */
  id: string;
  codeHash: string;
  role: StoredRole;
  expiresInMs?: number;
  maxUses?: number;
}

export function createInvite(reader: AccessReader, request: InviteRequest, now: number): AccessStep<InviteEntry> {
  const gated = gateFor(reader, request.actor, "moderate", now);
  if (gated.refusal) return gated.refusal;
  const refused = checkInvite(gated.role, request.role);
  if (refused) return refused;
  const invite: InviteEntry = {
    id: request.id,
    codeHash: request.codeHash,
    role: request.role,
    ...(request.expiresInMs === undefined ? {} : { expiresAt: now + request.expiresInMs }),
    ...(request.maxUses === undefined ? {} : { maxUses: request.maxUses }),
    uses: 0,
    revoked: false,
    createdBy: { id: request.actor.id, name: request.actor.name },
    ts: now,
  };
  return { ok: true, writes: [{ op: "invite", invite }], events: [], value: invite };
}

export function revokeInvite(reader: AccessReader, request: { actor: Actor; id: string }, now: number): AccessStep<InviteEntry> {
  const refused = staffGate(reader, request.actor, now);
  if (refused) return refused;
  const invite = reader.invite(request.id);
  if (!invite) return ACCESS_REFUSALS.noSuchInvite;
  const revoked = { ...invite, revoked: true };
  return { ok: true, writes: [{ op: "invite", invite: revoked }], events: [], value: revoked };
}

/** A report is anyone's who may be in the room; `target` is checked by the caller (a chat of the room). */
export function report(
  reader: AccessReader,
  request: { actor: Actor; id: string; target: number; reason: string },
  now: number,
): AccessStep<ReportEntry> {
  const gated = gateFor(reader, request.actor, "report", now);
  if (gated.refusal) return gated.refusal;
  const entry: ReportEntry = {
    id: request.id,
    target: request.target,
    reason: request.reason,
    by: { id: request.actor.id, name: request.actor.name },
    ts: now,
  };
  return { ok: true, writes: [{ op: "report", id: entry.id, report: entry }], events: [], value: entry };
}

export function resolveReport(reader: AccessReader, request: { actor: Actor; id: string }, now: number): AccessStep<ReportEntry> {
  const refused = staffGate(reader, request.actor, now);
  if (refused) return refused;
  const entry = reader.report(request.id);
  if (!entry) return ACCESS_REFUSALS.noSuchReport;
  return { ok: true, writes: [{ op: "report", id: entry.id, report: null }], events: [], value: entry };
}

/** The staff-only view: invites, bans and mutes still in force, open reports, stored roles. */
export function roomAdmin(reader: AccessReader, request: { actor: Actor }, now: number): AccessStep<RoomAdminView> {
  const refused = staffGate(reader, request.actor, now);
  if (refused) return refused;
  const byTs = <T extends { ts: number }>(a: T, b: T) => a.ts - b.ts;
  const value: RoomAdminView = {
    invites: reader.invites().sort(byTs),
    bans: reader
      .bans()
      .filter((ban) => isActive(ban, now))
      .sort(byTs),
    mutes: reader
      .mutes()
      .filter((mute) => isActive(mute, now))
      .sort(byTs),
    reports: reader.reports().sort(byTs),
    roles: reader
      .roles()
      .map((entry) => ({ ...entry.user, role: entry.role }))
      .sort((a, b) => rankOf(b.role) - rankOf(a.role) || (a.id < b.id ? -1 : 1)),
  };
  return { ok: true, writes: [], events: [], value };
}

function staffGate(reader: AccessReader, actor: Actor, now: number): AccessRefusal | undefined {
  const gated = gateFor(reader, actor, "moderate", now);
  return gated.refusal ?? checkStaff(gated.role);
}
