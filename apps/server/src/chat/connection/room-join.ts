import { CLOSE_CODES, type ClientFrameOf } from "@chatroom/protocol";
import type { Credential } from "../../backend/access-admission";
import { NEW_MEMBERSHIP_NOTIFY } from "../../backend/membership-store";
import type { RefusalCode } from "../../backend/message-store";
import { hashSecret, newSecret } from "../../security/secrets";
import { joinedFrame } from "../frames";
import type { Room } from "../room/room";
import { actorOf } from "./actor";
import type { ConnectionContext, SeatContext } from "./context";
import { Seat, type SeatHooks } from "./seat";

/** How a join reports back to its connection, which may close at any await. */
export interface Joiner {
  readonly connection: ConnectionContext;
  /** False once the connection has closed: the join stops where it is. */
  isOpen(): boolean;
  /** The seat is taken and `joined` is being built; a close from here on must release it. */
  seated(context: SeatContext): void;
  /** What the room's moderation does to this connection's seat. */
  readonly hooks: SeatHooks;
}

/** The store refused the admission: `banned`, `forbidden` (a private room), `invite_invalid`. */
export interface JoinRefusal {
  refused: { code: RefusalCode; message: string };
}

/** `too_many`: the user holds `maxRooms` memberships already; undefined: the connection closed on the way. */
export type JoinResult = SeatContext | "too_many" | JoinRefusal | undefined;

/**
 * The room-join step: admission by the store (bans, a private room's members, a pass or an invite
 * redeemed), then the membership, a name, a seat, history up to what the room has fanned out, and
 * `joined` with where the user stands. Everything the room fans out after the seat is taken is
 * held by the seat and follows `joined`: no gap, no overlap.
 */
export async function joinRoom(frame: ClientFrameOf<"join">, joiner: Joiner): Promise<JoinResult> {
  const { services, identity, outlet } = joiner.connection;
  const { deps, memberships, access } = services;
  const { limits } = deps;
  const { credential, key } = credentialOf(frame);
  // First, so a refused user gets no membership and no name in the room.
  const admitted = await access.admit({ room: frame.room, actor: actorOf(identity, frame.room), ...(credential ? { credential } : {}) });
  if (!admitted.ok) return { refused: { code: admitted.code, message: admitted.message } };
  if (admitted.duplicate) throw new Error("an admission is never deduplicated");
  const standing = admitted.value;
  if (!joiner.isOpen()) return undefined;
  const outcome = await memberships.join(identity.userId, frame.room, { maxRooms: limits.maxRooms });
  if (outcome === "too_many") return "too_many";
  if (!joiner.isOpen()) return undefined;
  let room: Room | undefined;
  try {
    room = await services.rooms.activate(frame.room);
    // A reserved room is not retired while this join waits on the store, however long that takes.
    room.reserve();
    room.markPrivate(standing.private);
    // A role this admission gave (a pass, an invite) is a room event like any other.
    for (const event of admitted.events) room.deliver(event);
    const name = await room.claimName(identity.name, identity.userId);
    if (!joiner.isOpen()) return undefined;
    const seat = new Seat({ outlet, userId: identity.userId, hooks: joiner.hooks });
    // `admit` settles a clash with a concurrent joiner synchronously, so the name may change here.
    const { user, replaced } = room.admit(seat, name, { role: standing.role, floor: identity.admin ? "admin" : "member" });
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
    const [history, membership] = await Promise.all([
      since === undefined
        ? services.messages.latestChats(room.name, upTo, limits.welcomeLatest)
        : services.messages.range(room.name, { after: since, upTo, limit: limits.welcomeSinceMax }),
      // Counted up to what `joined` covers: later chats come live, and the client counts them on.
      memberships.membership(identity.userId, frame.room, upTo),
    ]);
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
        readSeq: membership?.readSeq ?? 0,
        unreadMentions: membership?.unreadMentions ?? 0,
        notify: membership?.notify ?? NEW_MEMBERSHIP_NOTIFY,
        role: standing.role,
        private: standing.private,
        locked: standing.locked,
        slowModeMs: standing.slowModeMs,
        staff: standing.staff,
        ...(standing.mutedUntil === undefined ? {} : { mutedUntil: standing.mutedUntil }),
        ...(standing.passMinted && key !== undefined ? { key } : {}),
      }),
    );
    // A kick or ban stored after the admission but fanned out before the seat was taken passed
    // this seat by: it takes effect now, right after `joined` (which ends with its event).
    const removal = room.removalAfter(identity.userId, admitted.ack.seq);
    if (removal) room.expel(seat, removal);
    return context;
  } finally {
    room?.unreserve();
  }
}

/** The credential a join presents, hashed for the store; an invite also gets the pass it will mint. */
function credentialOf(frame: ClientFrameOf<"join">): { credential?: Credential; key?: string } {
  if (frame.key !== undefined) return { credential: { kind: "pass", passHash: hashSecret(frame.key) } };
  if (frame.invite === undefined) return {};
  const key = newSecret();
  return { credential: { kind: "invite", inviteHash: hashSecret(frame.invite), newPassHash: hashSecret(key) }, key };
}
