import type { NotifyLevel } from "@chatroom/protocol";
import type { RoomAccessStore } from "../../backend/access-store";
import type { MembershipStore } from "../../backend/membership-store";
import type { MessageSearch } from "../../backend/message-search";
import type { MessageStore } from "../../backend/message-store";
import type { SessionStore } from "../../backend/session-store";
import type { AdminKeyStore } from "../../security/admin-key";
import type { JwtVerifier, RoomClaims } from "../../security/jwt-verifier";
import type { ChatDeps } from "../deps";
import type { Room } from "../room/room";
import type { Budgets } from "./budgets";
import type { Outlet } from "./outlet";
import type { Seat } from "./seat";

/** Rooms this node serves, as a joining connection needs them. */
export interface RoomDirectory {
  /** The room, created and subscribed to other nodes' events on first use. */
  activate(name: string): Promise<Room>;
  /** The room if this node serves it now. */
  active(name: string): Room | undefined;
  /** An encoded frame for the room's staff online, here and on every other node (reports). */
  toStaff(room: string, frame: string): void;
  /** A user's notification level for the room, to each of their seats there, here and on every other node. */
  notifyUser(room: string, userId: string, level: NotifyLevel): void;
}

/** What every connection works with: the chat dependencies, the stores and the rooms. */
export interface ChatServices {
  readonly deps: ChatDeps;
  readonly messages: MessageStore;
  /** Full-text search over chats as they stand; the caller decides which rooms it may read. */
  readonly search: MessageSearch;
  readonly sessions: SessionStore;
  readonly memberships: MembershipStore;
  /** Who may enter and who may speak: admission, rooms, invites, reports, the staff view. */
  readonly access: RoomAccessStore;
  readonly rooms: RoomDirectory;
  /** The hash of the server's admin key, which `hello.adminKey` is checked against. */
  readonly adminKey: AdminKeyStore;
  /** `AUTH=jwt`: every connection signs in with a host app's token. Absent: anonymous guests. */
  readonly tokens?: TokenAuth;
}

/** How host-app tokens are checked, and how long an expired one is tolerated before the close. */
export interface TokenAuth {
  readonly verifier: JwtVerifier;
  /** `JWT_EXPIRY_GRACE_S` in milliseconds: a client that has not refreshed by `exp` plus this is closed with 4401. */
  readonly expiryGraceMs: number;
}

/** What a connection's host-app token says beyond who the user is. */
export interface TokenClaims {
  /** Room → role the host app gives (join and append pass it on as the actor's `claimedRole`). */
  rooms: RoomClaims;
  /** Seconds since the epoch, as in the JWT; moved on by every accepted `auth`. */
  exp: number;
}

/** Who a ready connection speaks for. `name` is the user's one name; a room may show it with a suffix. */
export interface Identity {
  readonly token: string;
  /** A guest's `u_…` id, or a host-app user's token `sub`. */
  readonly userId: string;
  name: string;
  /** The connection presented the server's admin key: admin in every room. */
  readonly admin: boolean;
  /** HMAC of the address the connection comes from, for address bans; never the address itself. */
  readonly addressHash?: string;
  /** `AUTH=jwt` only: the current token's room roles and expiry (`claims.rooms[room]` is the claimed role there). */
  claims?: TokenClaims;
}

/** A ready connection, as its handlers see it: one identity, one set of budgets, one way out. */
export interface ConnectionContext {
  readonly services: ChatServices;
  readonly identity: Identity;
  /** Shared by every room the connection has joined. */
  readonly budgets: Budgets;
  readonly outlet: Outlet;
}

/** The connection's seat in one room it has joined: what a room frame's handler works with. */
export interface SeatContext {
  readonly connection: ConnectionContext;
  readonly room: Room;
  readonly seat: Seat;
}
