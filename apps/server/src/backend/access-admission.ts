import type { StaffMember } from "@chatroom/protocol";
import { type AccessStep, gateFor, metaOf } from "./access-ops";
import { ACCESS_REFUSALS, effectiveRole, higherRole, isActive, isStaff, type Role, rankOf, type StoredRole } from "./access-rules";
import type { AccessReader, AccessWrite, Actor } from "./access-state";
import type { ModerationBody } from "./moderation-event";

/** Entering a room (`admit`: the ban, the credential, a private room's membership) and creating one. */

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

function staffOf(reader: AccessReader): StaffMember[] {
  return reader
    .roles()
    .flatMap((entry) => (isStaff(entry.role) ? [{ id: entry.user.id, name: entry.user.name, role: entry.role }] : []))
    .sort((a, b) => rankOf(b.role) - rankOf(a.role) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
