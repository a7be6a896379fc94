import { type AccessStep, gateFor, staffGate } from "./access-ops";
import { ACCESS_REFUSALS, checkInvite, isActive, rankOf, type StoredRole } from "./access-rules";
import type { AccessReader, Actor, BanEntry, InviteEntry, MuteEntry, ReportEntry } from "./access-state";

/** The staff's desk: invites made and revoked, reports filed and resolved, and the staff-only view of them all. */

/** A stored role with its user: staff, and the members a private room admits. */
export type RoleHolder = { id: string; name: string; role: StoredRole };

export interface RoomAdminView {
  invites: InviteEntry[];
  bans: BanEntry[];
  mutes: MuteEntry[];
  reports: ReportEntry[];
  /** Every stored role, staff and private-room members alike. */
  roles: RoleHolder[];
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
