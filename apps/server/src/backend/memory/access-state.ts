import type { StoredRole } from "../access-rules";
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
} from "../access-state";

/** One room's access state in maps, each keyed as the reader asks. */
interface RoomAccess {
  meta?: RoomMeta;
  roles: Map<string, RoleEntry>;
  bans: Map<string, BanEntry>;
  addressBans: Map<string, AddressBanEntry>;
  mutes: Map<string, MuteEntry>;
  passes: Map<string, PassEntry>;
  joinedPasses: Map<string, string>;
  addresses: Map<string, string>;
  invites: Map<string, InviteEntry>;
  /** code hash -> invite id */
  inviteCodes: Map<string, string>;
  reports: Map<string, ReportEntry>;
  /** user id -> ts of their last chat while slow mode was on. */
  lastChats: Map<string, number>;
}

/** What the memory backend's other parts tell this state about a room. */
export interface MemoryRoomFacts {
  hasEvents(room: string): boolean;
  hasMembers(room: string): boolean;
  forgetMembership(userId: string, room: string): void;
}

/**
 * The reference access state: every room's in process memory. Reads and writes are synchronous,
 * so a store that reads, decides and writes without an await between is atomic here.
 */
export class MemoryAccessState {
  private readonly rooms = new Map<string, RoomAccess>();

  constructor(private readonly facts: MemoryRoomFacts) {}

  reader(room: string): AccessReader {
    const state = this.rooms.get(room) ?? emptyRoom();
    const copy = <T>(value: T | undefined): T | undefined => (value === undefined ? undefined : structuredClone(value));
    return {
      meta: () => copy(state.meta),
      role: (userId) => state.roles.get(userId)?.role,
      roles: () => [...state.roles.values()].map((entry) => structuredClone(entry)),
      ban: (userId) => copy(state.bans.get(userId)),
      addressBan: (hash) => copy(state.addressBans.get(hash)),
      bans: () => [...state.bans.values()].map((entry) => structuredClone(entry)),
      mute: (userId) => copy(state.mutes.get(userId)),
      mutes: () => [...state.mutes.values()].map((entry) => structuredClone(entry)),
      pass: (hash) => copy(state.passes.get(hash)),
      joinedPass: (userId) => state.joinedPasses.get(userId),
      address: (userId) => state.addresses.get(userId),
      invite: (id) => copy(state.invites.get(id)),
      inviteByCode: (hash) => {
        const id = state.inviteCodes.get(hash);
        return id === undefined ? undefined : copy(state.invites.get(id));
      },
      invites: () => [...state.invites.values()].map((entry) => structuredClone(entry)),
      report: (id) => copy(state.reports.get(id)),
      reports: () => [...state.reports.values()].map((entry) => structuredClone(entry)),
      exists: () => state.meta !== undefined || this.facts.hasEvents(room) || this.facts.hasMembers(room),
    };
  }

  apply(room: string, writes: readonly AccessWrite[]): void {
    if (writes.length === 0) return;
    const state = this.room(room);
    for (const write of writes) {
      switch (write.op) {
        case "meta":
          state.meta = structuredClone(write.meta);
          break;
        case "role":
          setOrDelete(state.roles, write.user.id, write.role === null ? null : { user: { ...write.user }, role: write.role });
          break;
        case "ban":
          setOrDelete(state.bans, write.userId, write.ban);
          break;
        case "address-ban":
          setOrDelete(state.addressBans, write.addressHash, write.ban);
          break;
        case "mute":
          setOrDelete(state.mutes, write.userId, write.mute);
          break;
        case "pass":
          state.passes.set(write.hash, structuredClone(write.pass));
          break;
        case "joined-pass":
          state.joinedPasses.set(write.userId, write.hash);
          break;
        case "address":
          state.addresses.set(write.userId, write.addressHash);
          break;
        case "invite":
          state.invites.set(write.invite.id, structuredClone(write.invite));
          state.inviteCodes.set(write.invite.codeHash, write.invite.id);
          break;
        case "report":
          setOrDelete(state.reports, write.id, write.report);
          break;
        case "forget-membership":
          this.facts.forgetMembership(write.userId, room);
          break;
      }
    }
  }

  /** The stored role of a chat's author, for a staff delete. */
  role(room: string, userId: string): StoredRole | undefined {
    return this.rooms.get(room)?.roles.get(userId)?.role;
  }

  lastChat(room: string, userId: string): number | undefined {
    return this.rooms.get(room)?.lastChats.get(userId);
  }

  /** Kept only while slow mode is on: a chat sent with it off never holds back the next one. */
  noteChat(room: string, userId: string, ts: number): void {
    if ((this.rooms.get(room)?.meta?.slowModeMs ?? 0) > 0) this.room(room).lastChats.set(userId, ts);
  }

  private room(room: string): RoomAccess {
    let state = this.rooms.get(room);
    if (!state) {
      state = emptyRoom();
      this.rooms.set(room, state);
    }
    return state;
  }
}

function emptyRoom(): RoomAccess {
  return {
    roles: new Map(),
    bans: new Map(),
    addressBans: new Map(),
    mutes: new Map(),
    passes: new Map(),
    joinedPasses: new Map(),
    addresses: new Map(),
    invites: new Map(),
    inviteCodes: new Map(),
    reports: new Map(),
    lastChats: new Map(),
  };
}

function setOrDelete<T>(map: Map<string, T>, key: string, value: T | null): void {
  if (value === null) map.delete(key);
  else map.set(key, structuredClone(value));
}
