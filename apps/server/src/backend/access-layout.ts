import type {
  AccessReader,
  AccessWrite,
  AddressBanEntry,
  BanEntry,
  InviteEntry,
  MuteEntry,
  PassEntry,
  ReportEntry,
  RoleEntry,
  RoomMeta,
} from "./access-state";

/**
 * How the persistent stores lay out a room's access state: entries of a few kinds, each under a
 * key, as JSON. SQLite and PostgreSQL keep them in one table keyed (room, kind, key); both read
 * and write through this file, so the two cannot drift. The state is
 * only ever read by key or listed per room and kind, never queried by what is inside an entry.
 */
export const ACCESS_KINDS = [
  "meta",
  "role",
  "ban",
  "address-ban",
  "mute",
  "pass",
  "joined-pass",
  "address",
  "invite",
  "invite-code",
  "report",
] as const;
export type AccessKind = (typeof ACCESS_KINDS)[number];

/** One entry to set (value: JSON) or remove (value: null). */
export interface LayoutWrite {
  kind: AccessKind;
  key: string;
  value: string | null;
}

/** The one key of the `meta` kind. */
export const META_KEY = "room";

/** A room's entries as the store holds them, read synchronously inside its atomic step. */
export interface LayoutSource {
  get(kind: AccessKind, key: string): string | undefined;
  list(kind: AccessKind): string[];
  /** Whether the room has events or memberships (meta is read here). */
  hasEventsOrMembers(): boolean;
}

export function layoutReader(source: LayoutSource): AccessReader {
  const one = <T>(kind: AccessKind, key: string): T | undefined => {
    const raw = source.get(kind, key);
    return raw === undefined ? undefined : (JSON.parse(raw) as T);
  };
  const all = <T>(kind: AccessKind): T[] => source.list(kind).map((raw) => JSON.parse(raw) as T);
  return {
    meta: () => one<RoomMeta>("meta", META_KEY),
    role: (userId) => one<RoleEntry>("role", userId)?.role,
    roles: () => all<RoleEntry>("role"),
    ban: (userId) => one<BanEntry>("ban", userId),
    addressBan: (hash) => one<AddressBanEntry>("address-ban", hash),
    bans: () => all<BanEntry>("ban"),
    mute: (userId) => one<MuteEntry>("mute", userId),
    mutes: () => all<MuteEntry>("mute"),
    pass: (hash) => one<PassEntry>("pass", hash),
    joinedPass: (userId) => source.get("joined-pass", userId),
    address: (userId) => source.get("address", userId),
    invite: (id) => one<InviteEntry>("invite", id),
    inviteByCode: (hash) => {
      const id = source.get("invite-code", hash);
      return id === undefined ? undefined : one<InviteEntry>("invite", id);
    },
    invites: () => all<InviteEntry>("invite"),
    report: (id) => one<ReportEntry>("report", id),
    reports: () => all<ReportEntry>("report"),
    exists: () => source.get("meta", META_KEY) !== undefined || source.hasEventsOrMembers(),
  };
}

/** The entry writes of a step, and the memberships it drops (kept elsewhere: the membership store's). */
export function layoutWrites(writes: readonly AccessWrite[]): { entries: LayoutWrite[]; forgetMemberships: string[] } {
  const entries: LayoutWrite[] = [];
  const forgetMemberships: string[] = [];
  const put = (kind: AccessKind, key: string, value: unknown) =>
    entries.push({ kind, key, value: value === null ? null : typeof value === "string" ? value : JSON.stringify(value) });
  for (const write of writes) {
    switch (write.op) {
      case "meta":
        put("meta", META_KEY, write.meta);
        break;
      case "role":
        put("role", write.user.id, write.role === null ? null : ({ user: write.user, role: write.role } satisfies RoleEntry));
        break;
      case "ban":
        put("ban", write.userId, write.ban);
        break;
      case "address-ban":
        put("address-ban", write.addressHash, write.ban);
        break;
      case "mute":
        put("mute", write.userId, write.mute);
        break;
      case "pass":
        put("pass", write.hash, write.pass);
        break;
      case "joined-pass":
        put("joined-pass", write.userId, write.hash);
        break;
      case "address":
        put("address", write.userId, write.addressHash);
        break;
      case "invite":
        put("invite", write.invite.id, write.invite);
        put("invite-code", write.invite.codeHash, write.invite.id);
        break;
      case "report":
        put("report", write.id, write.report);
        break;
      case "forget-membership":
        forgetMemberships.push(write.userId);
        break;
    }
  }
  return { entries, forgetMemberships };
}
