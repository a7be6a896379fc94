import { CLOSE_CODES, type ConnectQuery } from "@chatroom/protocol";
import type { MessageStore } from "../../backend/message-store";
import type { SessionStore } from "../../backend/session-store";
import type { ChatDeps } from "../deps";
import { welcomeFrame } from "../frames";
import type { Peer } from "../ports";
import type { Room } from "../room/room";
import type { Budgets } from "./budgets";
import type { SeatContext } from "./handlers";
import { Seat } from "./seat";

/** Rooms this node serves, as a joining connection needs them. */
export interface RoomDirectory {
  /** The room, created and subscribed to other nodes' events on first use. */
  activate(name: string): Promise<Room>;
}

export interface JoinServices {
  readonly deps: ChatDeps;
  readonly messages: MessageStore;
  readonly sessions: SessionStore;
  readonly rooms: RoomDirectory;
}

/** The joining connection: its transport, its budgets, and how the join reports to it (it may close at any await). */
export interface Joiner {
  readonly peer: Peer;
  /** The connection's budgets: every seat it holds spends the same ones. */
  readonly budgets: Budgets;
  /** False once the connection has closed: the join stops where it is. */
  isOpen(): boolean;
  /** The seat is taken and its welcome is being built; a close from here on releases it. */
  seated(context: SeatContext): void;
}

interface Identity {
  token: string;
  userId: string;
  name: string;
  isNew: boolean;
}

/**
 * The join flow: resolve the identity, claim a name, take a seat, read history up to what the
 * room has fanned out, and send the welcome. Resolves with the live seat, or undefined when the
 * connection closed on the way.
 */
export async function joinRoom(services: JoinServices, query: ConnectQuery, joiner: Joiner): Promise<SeatContext | undefined> {
  const { deps } = services;
  const { limits } = deps;
  let room: Room | undefined;
  try {
    const identity = await resolveIdentity(services, query);
    if (!joiner.isOpen()) return undefined;
    room = await services.rooms.activate(query.room);
    // A reserved room is not retired while this join waits on the store, however long that takes.
    room.reserve();
    const name = await room.claimName(identity.name, identity.userId);
    if (!joiner.isOpen()) return undefined;
    const seat = new Seat({ peer: joiner.peer, userId: identity.userId, slowConsumerBytes: limits.slowConsumerBytes });
    // `admit` settles a clash with a concurrent joiner synchronously, so the name may change here.
    const { user, replaced } = room.admit(seat, name);
    // Read in the same tick as `admit`: everything up to here goes in the welcome, everything
    // fanned out from now on (chats and membership changes) is held and follows the welcome.
    const upTo = room.deliveredSeq;
    const members = room.memberList(limits.welcomeMembersMax);
    const memberCount = room.memberCount;
    const context: SeatContext = { ...services, room, seat, budgets: joiner.budgets, session: identity.token };
    joiner.seated(context);
    replaced?.close(CLOSE_CODES.replaced.code, CLOSE_CODES.replaced.reason);
    if (identity.isNew || user.name !== identity.name) {
      await services.sessions.save(identity.token, { userId: user.id, name: user.name });
    }
    const since = query.since;
    const history = await services.messages.range(room.name, {
      after: since ?? 0,
      upTo,
      limit: since === undefined ? limits.welcomeLatest : limits.welcomeSinceMax,
    });
    if (!joiner.isOpen()) return undefined;
    seat.goLive(
      welcomeFrame({
        room: room.name,
        you: user,
        session: identity.token,
        members,
        memberCount,
        messages: history.messages,
        latestSeq: upTo,
        complete: history.complete,
        limits,
      }),
    );
    return context;
  } finally {
    room?.unreserve();
  }
}

async function resolveIdentity(services: JoinServices, query: ConnectQuery): Promise<Identity> {
  if (query.session) {
    const record = await services.sessions.get(query.session);
    if (record) return { token: query.session, userId: record.userId, name: record.name, isNew: false };
  }
  const { ids } = services.deps;
  return { token: ids.sessionToken(), userId: ids.userId(), name: query.name ?? ids.guestName(), isNew: true };
}
