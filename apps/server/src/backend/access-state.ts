import type { User } from "@chatroom/protocol";
import type { StoredRole } from "./access-rules";

/**
 * A room's access state as every store keeps it ([4/6] §1, §2, §4), in plain values: what the
 * access operations (access-ops.ts and the files it names) read through an `AccessReader` and change
 * through `AccessWrite`s.
 * Secrets never reach a store: passes and invite codes are keyed by their SHA-256 hex.
 */

/** Who asks: the user, with what the connection holds beyond the store's own state. */
export interface Actor extends User {
  /** The role a host app's token claims for this room. */
  claimedRole?: StoredRole;
  /** The connection holds the admin key, or the host admin API acts. */
  admin?: boolean;
  /** HMAC of the address the connection comes from (never the address itself). */
  addressHash?: string;
}

export interface RoomMeta {
  private: boolean;
  locked: boolean;
  /** 0: off. */
  slowModeMs: number;
  /** Absent for a room that got its meta by moderation alone (an ownerless open room). */
  created?: { by: User; ts: number };
}

/** What an open room made by joining reads as. */
export const OPEN_ROOM: RoomMeta = { private: false, locked: false, slowModeMs: 0 };

export interface RoleEntry {
  user: User;
  role: StoredRole;
}

export interface BanEntry {
  user: User;
  /** Absent: for good. */
  until?: number;
  /** The address banned with the user, if any. */
  addressHash?: string;
  by: User;
  ts: number;
}

/** The ban on an address: whose ban it belongs to (unbanning the user lifts it), until when. */
export interface AddressBanEntry {
  userId: string;
  until?: number;
}

export interface MuteEntry {
  user: User;
  until?: number;
  by: User;
  ts: number;
}

/** A personal reusable capability for one room. */
export interface PassEntry {
  role: StoredRole;
  revoked: boolean;
}

export interface InviteEntry {
  id: string;
  /** SHA-256 hex of the code. */
  codeHash: string;
  role: StoredRole;
  expiresAt?: number;
  maxUses?: number;
  uses: number;
  revoked: boolean;
  createdBy: User;
  ts: number;
}

export interface ReportEntry {
  id: string;
  target: number;
  reason: string;
  by: User;
  ts: number;
}

/** Reads of one room's state inside the atomic step (synchronous: memory maps, SQLite, rows PostgreSQL read in the transaction). */
export interface AccessReader {
  /** Undefined: the room has no meta (open, ownerless, or not made yet). */
  meta(): RoomMeta | undefined;
  role(userId: string): StoredRole | undefined;
  /** Every stored role of the room. */
  roles(): RoleEntry[];
  ban(userId: string): BanEntry | undefined;
  addressBan(addressHash: string): AddressBanEntry | undefined;
  bans(): BanEntry[];
  mute(userId: string): MuteEntry | undefined;
  mutes(): MuteEntry[];
  pass(hash: string): PassEntry | undefined;
  /** The pass the user last joined with. */
  joinedPass(userId: string): string | undefined;
  /** The address hash the user last joined from. */
  address(userId: string): string | undefined;
  invite(id: string): InviteEntry | undefined;
  inviteByCode(codeHash: string): InviteEntry | undefined;
  invites(): InviteEntry[];
  report(id: string): ReportEntry | undefined;
  reports(): ReportEntry[];
  /** Whether the room has events, meta or memberships: `create` refuses it. */
  exists(): boolean;
}

/** One change to a room's state; a store applies a list of them in the step's order. */
export type AccessWrite =
  | { op: "meta"; meta: RoomMeta }
  | { op: "role"; user: User; role: StoredRole | null }
  | { op: "ban"; userId: string; ban: BanEntry | null }
  | { op: "address-ban"; addressHash: string; ban: AddressBanEntry | null }
  | { op: "mute"; userId: string; mute: MuteEntry | null }
  | { op: "pass"; hash: string; pass: PassEntry }
  | { op: "joined-pass"; userId: string; hash: string }
  | { op: "address"; userId: string; addressHash: string }
  | { op: "invite"; invite: InviteEntry }
  | { op: "report"; id: string; report: ReportEntry | null }
  /** The user's read marker for the room goes (kick, ban): the room leaves their list. */
  | { op: "forget-membership"; userId: string };
