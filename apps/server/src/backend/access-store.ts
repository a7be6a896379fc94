import { randomBytes } from "node:crypto";
import type { AdmitOutcome, Credential } from "./access-admission";
import * as admission from "./access-admission";
import type { RoomAdminView } from "./access-desk";
// A namespace: the desk's operations share their names with this file's methods.
import * as desk from "./access-desk";
import { type AccessStep, gateFor, metaOf } from "./access-ops";
import type { StoredRole } from "./access-rules";
import type { AccessReader, Actor, InviteEntry, ReportEntry, RoomMeta } from "./access-state";
import type { Ack, RefusalCode, StoredEvent } from "./message-store";

/** The answer of an access operation: refused, a resend (`duplicate`, no value), or done. */
export type AccessResult<T> =
  | { ok: false; code: RefusalCode; message: string; retryAfterMs?: number }
  | { ok: true; duplicate: true; ack: Ack }
  | {
      ok: true;
      duplicate: false;
      /** The room's latest seq after the step (the seq of its last event, if it appended any). */
      ack: Ack;
      value: T;
      /** The moderation events the step appended, each with its seq, to fan out. */
      events: StoredEvent[];
    };

/** `(actor.id, clientMsgId)`: deduplicated with chats, across rooms. */
export interface Dedupe {
  userId: string;
  clientMsgId: string;
}

/**
 * What a store implements once so that every access operation runs in its atomic step: read the
 * room's state through `reader`, let `decide` answer, and on success apply its writes and append
 * its events (each with the room's next seq) before anything else touches the room. With
 * `dedupe`, a resend of the same `(user, clientMsgId)` gets `duplicate` and runs nothing.
 */
export interface AccessRunner {
  runAccess<T>(
    room: string,
    dedupe: Dedupe | undefined,
    decide: (reader: AccessReader, now: number) => AccessStep<T>,
  ): Promise<AccessResult<T>>;
}

/** A request acked like a chat: deduplicated on `(actor.id, clientMsgId)`. */
export interface Resendable {
  actor: Actor;
  clientMsgId: string;
}

export interface AdmitRequest {
  room: string;
  actor: Actor;
  credential?: Credential;
}

export interface CreateRoomRequest extends Resendable {
  room: string;
  actor: Actor;
  private: boolean;
  /** SHA-256 hex of the owner pass the caller made and shows once. */
  passHash: string;
}

export interface CreateInviteRequest extends Resendable {
  room: string;
  actor: Actor;
  /** SHA-256 hex of the code the caller made and shows once. */
  codeHash: string;
  role: StoredRole;
  expiresInMs?: number;
  maxUses?: number;
}

/**
 * A room's access state ([4/6] §1, §2, §4): meta (private, locked, slow mode, created), roles per
 * (room, user), passes (hash -> role, revoked; the pass each user joined with), invites, bans (by
 * user and by address hash), mutes, reports (staff-only, never room events). Secrets never reach
 * it: passes and invite codes arrive as SHA-256 hex, addresses as HMAC.
 *
 * Each method is one atomic step with the room's appends (the same SQLite or PostgreSQL
 * transaction as the seq), in this order: dedupe on `(actor.id, clientMsgId)` where there is
 * one (shared with `append`); the gate of access-rules.ts ((a) banned, (b) a private room's
 * non-member) where the operation is a member's; the operation's own rule; then its writes and
 * any `moderation` events, each with the room's next seq. Moderation itself goes through
 * `MessageStore.append` (`kind: "moderate"`), like every other change that takes a seq.
 */
export interface RoomAccessStore {
  /** `create`: `room_exists` when the room has events, meta or memberships; else meta, owner role and owner pass. */
  createRoom(request: CreateRoomRequest): Promise<AccessResult<null>>;
  /**
   * The check of a `join`: `banned`; an invite credential is redeemed (`invite_invalid` when
   * unknown, expired, used up or revoked; its use counted atomically) and mints `newPassHash`;
   * a pass credential (unknown or revoked: ignored) and a claimed role raise the stored role; a
   * private room's non-member is `forbidden`. Records the address the user joined from.
   */
  admit(request: AdmitRequest): Promise<AccessResult<AdmitOutcome>>;
  createInvite(request: CreateInviteRequest): Promise<AccessResult<InviteEntry>>;
  revokeInvite(request: { room: string; actor: Actor; invite: string } & Resendable): Promise<AccessResult<InviteEntry>>;
  /** `target` must be a chat of the room: the caller checks it against the store first. */
  report(request: { room: string; actor: Actor; target: number; reason: string } & Resendable): Promise<AccessResult<ReportEntry>>;
  resolveReport(request: { room: string; actor: Actor; report: string } & Resendable): Promise<AccessResult<ReportEntry>>;
  /** `room-admin` (staff only): invites, bans and mutes in force, open reports, stored roles. */
  roomAdmin(request: { room: string; actor: Actor }): Promise<AccessResult<RoomAdminView>>;
  /** The room's meta as it stands (an open room's when it has none): `/api/rooms` leaves private rooms out. */
  meta(room: string): Promise<RoomMeta>;
  /** Whether the actor may read the room's history now: not banned, and admitted if it is private (the gate's (a) and (b)). */
  mayRead(room: string, actor: Actor): Promise<boolean>;
}

/** Unguessable ids for invites and reports, made before the atomic step, so it holds no randomness. */
function newId(prefix: string): string {
  return `${prefix}_${randomBytes(9).toString("base64url")}`;
}

/** Every access method in terms of one store's `runAccess`: the operations are access-admission.ts's and access-desk.ts's. */
export class AccessOperations implements RoomAccessStore {
  constructor(private readonly runner: AccessRunner) {}

  createRoom(request: CreateRoomRequest): Promise<AccessResult<null>> {
    return this.runner.runAccess(request.room, dedupeOf(request), (reader, now) => admission.createRoom(reader, request, now));
  }

  admit(request: AdmitRequest): Promise<AccessResult<AdmitOutcome>> {
    return this.runner.runAccess(request.room, undefined, (reader, now) => admission.admit(reader, request, now));
  }

  createInvite(request: CreateInviteRequest): Promise<AccessResult<InviteEntry>> {
    const id = newId("i");
    return this.runner.runAccess(request.room, dedupeOf(request), (reader, now) => desk.createInvite(reader, { ...request, id }, now));
  }

  revokeInvite(request: { room: string; actor: Actor; invite: string } & Resendable): Promise<AccessResult<InviteEntry>> {
    return this.runner.runAccess(request.room, dedupeOf(request), (reader, now) =>
      desk.revokeInvite(reader, { actor: request.actor, id: request.invite }, now),
    );
  }

  report(request: { room: string; actor: Actor; target: number; reason: string } & Resendable): Promise<AccessResult<ReportEntry>> {
    const id = newId("r");
    return this.runner.runAccess(request.room, dedupeOf(request), (reader, now) => desk.report(reader, { ...request, id }, now));
  }

  resolveReport(request: { room: string; actor: Actor; report: string } & Resendable): Promise<AccessResult<ReportEntry>> {
    return this.runner.runAccess(request.room, dedupeOf(request), (reader, now) =>
      desk.resolveReport(reader, { actor: request.actor, id: request.report }, now),
    );
  }

  roomAdmin(request: { room: string; actor: Actor }): Promise<AccessResult<RoomAdminView>> {
    return this.runner.runAccess(request.room, undefined, (reader, now) => desk.roomAdmin(reader, request, now));
  }

  async mayRead(room: string, actor: Actor): Promise<boolean> {
    const result = await this.runner.runAccess(room, undefined, (reader, now) => ({
      ok: true,
      writes: [],
      events: [],
      // "report" passes exactly the checks of reading: a ban, and a private room's membership.
      value: gateFor(reader, actor, "report", now).refusal === undefined,
    }));
    return result.ok && !result.duplicate && result.value;
  }

  async meta(room: string): Promise<RoomMeta> {
    const result = await this.runner.runAccess(room, undefined, (reader) => ({
      ok: true,
      writes: [],
      events: [],
      value: metaOf(reader),
    }));
    if (!result.ok || result.duplicate) throw new Error("reading a room's meta cannot be refused");
    return result.value;
  }
}

function dedupeOf(request: Resendable): Dedupe {
  return { userId: request.actor.id, clientMsgId: request.clientMsgId };
}
