import { CLOSE_CODES, type ClientFrameOf } from "@chatroom/protocol";
import { joinedFrame } from "../frames";
import type { Room } from "../room/room";
import type { ConnectionContext, SeatContext } from "./context";
import { Seat } from "./seat";

/** How a join reports back to its connection, which may close at any await. */
export interface Joiner {
  readonly connection: ConnectionContext;
  /** False once the connection has closed: the join stops where it is. */
  isOpen(): boolean;
  /** The seat is taken and `joined` is being built; a close from here on must release it. */
  seated(context: SeatContext): void;
}

/** `too_many`: the user holds `maxRooms` memberships already; undefined: the connection closed on the way. */
export type JoinResult = SeatContext | "too_many" | undefined;

/**
 * The room-join step: make the membership, claim a name, take a seat, read history up to what the
 * room has fanned out, and send `joined`. Everything the room fans out after the seat is taken is
 * held by the seat and follows `joined`: no gap, no overlap.
 */
export async function joinRoom(frame: ClientFrameOf<"join">, joiner: Joiner): Promise<JoinResult> {
  const { services, identity, outlet } = joiner.connection;
  const { deps, memberships } = services;
  const { limits } = deps;
  const outcome = await memberships.join(identity.userId, frame.room, { maxRooms: limits.maxRooms });
  if (outcome === "too_many") return "too_many";
  if (!joiner.isOpen()) return undefined;
  let room: Room | undefined;
  try {
    const [readSeq, activated] = await Promise.all([memberships.readSeq(identity.userId, frame.room), services.rooms.activate(frame.room)]);
    room = activated;
    // A reserved room is not retired while this join waits on the store, however long that takes.
    room.reserve();
    const name = await room.claimName(identity.name, identity.userId);
    if (!joiner.isOpen()) return undefined;
    const seat = new Seat({ outlet, userId: identity.userId });
    // `admit` settles a clash with a concurrent joiner synchronously, so the name may change here.
    const { user, replaced } = room.admit(seat, name);
    // Read in the same tick as `admit`: everything up to here goes in `joined`, everything fanned
    // out from now on (chats and membership changes) is held and follows it.
    const upTo = room.deliveredSeq;
    const members = room.memberList(limits.welcomeMembersMax);
    const memberCount = room.memberCount;
    const context: SeatContext = { connection: joiner.connection, room, seat };
    joiner.seated(context);
    // Another connection of this user still seated here: one connection per session, so it is an
    // older one the hub has already replaced; make sure it is gone.
    replaced?.close(CLOSE_CODES.replaced.code, CLOSE_CODES.replaced.reason);
    // Without `since`: the newest chats as they stand. With it: every event after it, so the
    // client's copies of older chats catch up on their edits, deletions and reactions too.
    const { since } = frame;
    const history =
      since === undefined
        ? await services.messages.latestChats(room.name, upTo, limits.welcomeLatest)
        : await services.messages.range(room.name, { after: since, upTo, limit: limits.welcomeSinceMax });
    if (!joiner.isOpen()) return undefined;
    seat.goLive(
      joinedFrame({
        room: room.name,
        you: user,
        members,
        memberCount,
        messages: history.messages,
        latestSeq: upTo,
        complete: history.complete,
        // A membership ended by another connection while this one joined reads as fully unread.
        readSeq: readSeq ?? 0,
        // Until the room's access state is wired in ([4/6]), every room is open and ownerless.
        role: "member",
        private: false,
        locked: false,
        slowModeMs: 0,
        staff: [],
      }),
    );
    return context;
  } finally {
    room?.unreserve();
  }
}
