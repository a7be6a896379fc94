import { CLOSE_CODES, type ClientFrame, type ClientFrameOf, type RoomClientFrame } from "@chatroom/protocol";
import { errorFrame, leftFrame } from "../frames";
import type { ConnectionContext, SeatContext } from "./context";
import { handleSeatFrame, refuseIfLimited, type SeatFrame } from "./handlers";
import { joinRoom } from "./room-join";

/**
 * A room of this connection. While its `join` or `leave` is in flight, frames naming it wait in
 * its inbox and are handled, in order, once `joined` or `left` went out.
 */
type Entry =
  | { kind: "joining"; inbox: RoomClientFrame[]; seated: SeatContext | null }
  | { kind: "joined"; context: SeatContext }
  | { kind: "leaving"; inbox: RoomClientFrame[]; context: SeatContext };

export interface JoinedRoomsOptions {
  connection: ConnectionContext;
  /** Hands a frame that waited in an inbox back to the connection, which routes it as if it arrived now. */
  redispatch(frame: ClientFrame): void;
  /** A join finished, either way. */
  joinSettled(): void;
}

/**
 * The rooms one connection has joined, is joining or is leaving: one seat context per room, and
 * the rules that say which room frames are handled, which wait and which are refused.
 */
export class JoinedRooms {
  private readonly entries = new Map<string, Entry>();
  private inFlight = 0;

  constructor(private readonly options: JoinedRoomsOptions) {}

  /** Joins started and not finished. */
  get joinsInFlight(): number {
    return this.inFlight;
  }

  /** The seats of every room joined now. */
  seats(): SeatContext[] {
    const seats: SeatContext[] = [];
    for (const entry of this.entries.values()) if (entry.kind === "joined") seats.push(entry.context);
    return seats;
  }

  /**
   * Takes a `join`: refused at once when the room is joined (or will be, once what is in flight
   * settles) here, or the connection holds `maxRooms`; waits behind a `leave` of the same room.
   * True when the join is the caller's to `start`, now or when the connection is ready for it.
   */
  accept(frame: ClientFrameOf<"join">): boolean {
    const { outlet, services } = this.options.connection;
    const entry = this.entries.get(frame.room);
    if (entry && entry.kind !== "joined" && !joinedInTheEnd(entry)) {
      this.hold(entry.inbox, frame);
      return false;
    }
    if (entry) {
      outlet.write(errorFrame("bad_request", "this room is already joined on this connection", { room: frame.room }));
      return false;
    }
    if (this.roomCount() >= services.deps.limits.maxRooms) {
      outlet.write(errorFrame("too_many_rooms", `at most ${services.deps.limits.maxRooms} rooms per connection`, { room: frame.room }));
      return false;
    }
    this.entries.set(frame.room, { kind: "joining", inbox: [], seated: null });
    return true;
  }

  /** Runs an accepted join. */
  start(frame: ClientFrameOf<"join">): void {
    const entry = this.entries.get(frame.room);
    if (entry?.kind !== "joining") return;
    this.inFlight++;
    void this.join(frame, entry).finally(() => {
      this.inFlight--;
      this.options.joinSettled();
    });
  }

  /** A frame naming a room (not `join`): refused if not joined here, held while the room changes, else handled. */
  route(frame: SeatFrame | ClientFrameOf<"leave">): void {
    const { outlet } = this.options.connection;
    const entry = this.entries.get(frame.room);
    if (!entry) {
      const clientMsgId = "clientMsgId" in frame ? { clientMsgId: frame.clientMsgId } : {};
      outlet.write(errorFrame("not_joined", `room ${frame.room} is not joined on this connection`, { room: frame.room, ...clientMsgId }));
      return;
    }
    if (entry.kind !== "joined") {
      this.hold(entry.inbox, frame);
      return;
    }
    if (frame.type === "leave") {
      // A store write and a room-wide frame, like a chat: a join-leave loop is paced by the chat budget.
      if (!refuseIfLimited(this.options.connection, "chat", { room: frame.room })) void this.leave(entry.context);
      return;
    }
    this.handle(entry.context, frame);
  }

  /** The socket is gone: every seat is released, and its member leaves after the grace period unless it comes back. */
  releaseAll(): void {
    for (const entry of this.entries.values()) {
      const context = entry.kind === "joining" ? entry.seated : entry.context;
      if (!context) continue;
      context.seat.detach();
      context.room.release(context.seat);
    }
    this.entries.clear();
  }

  /** Rooms joined or being joined; one being left is on its way out. */
  private roomCount(): number {
    let count = 0;
    for (const entry of this.entries.values()) if (entry.kind !== "leaving") count++;
    return count;
  }

  private hold(inbox: RoomClientFrame[], frame: RoomClientFrame): void {
    const { outlet, services } = this.options.connection;
    if (inbox.length >= services.deps.limits.maxEarlyFrames)
      outlet.close(CLOSE_CODES.rateLimitAbuse.code, "too many frames for a room being joined");
    else inbox.push(frame);
  }

  private handle(context: SeatContext, frame: SeatFrame): void {
    const { deps } = this.options.connection.services;
    handleSeatFrame(context, frame).catch((error: unknown) => {
      deps.logger.error({ err: error, type: frame.type, room: context.room.name }, "frame handler failed");
      context.seat.write(errorFrame("server_error", "the server could not handle that frame", { room: context.room.name }));
    });
  }

  private async join(frame: ClientFrameOf<"join">, entry: Extract<Entry, { kind: "joining" }>): Promise<void> {
    const { connection } = this.options;
    const { outlet, services } = connection;
    const current = () => outlet.isOpen && this.entries.get(frame.room) === entry;
    try {
      const result = await joinRoom(frame, {
        connection,
        isOpen: current,
        seated: (context) => {
          entry.seated = context;
        },
      });
      if (!current()) return;
      if (result === "too_many") {
        outlet.write(errorFrame("too_many_rooms", `at most ${services.deps.limits.maxRooms} rooms per user`, { room: frame.room }));
        this.settle(frame.room, entry.inbox);
      } else if (result) {
        this.entries.set(frame.room, { kind: "joined", context: result });
        this.replay(entry.inbox);
      }
    } catch (error) {
      services.deps.logger.error({ err: error, room: frame.room }, "join failed");
      if (!current()) return;
      // The room may already have seen the user arrive: it sees the user leave again at once.
      if (entry.seated) {
        entry.seated.seat.detach();
        entry.seated.room.leave(entry.seated.seat);
      }
      outlet.write(errorFrame("server_error", "could not join the room, retry later", { room: frame.room }));
      this.settle(frame.room, entry.inbox);
    }
  }

  /**
   * `leave`: the membership ends first, so a store failure changes nothing (the client may leave
   * again); then the seat goes at once, with no grace period, and `left` is the room's last frame.
   */
  private async leave(context: SeatContext): Promise<void> {
    const { outlet, services, identity } = this.options.connection;
    const room = context.room.name;
    const entry: Entry = { kind: "leaving", inbox: [], context };
    this.entries.set(room, entry);
    try {
      await services.memberships.leave(identity.userId, room);
    } catch (error) {
      services.deps.logger.error({ err: error, room }, "leave failed");
      if (this.entries.get(room) !== entry) return;
      this.entries.set(room, { kind: "joined", context });
      outlet.write(errorFrame("server_error", "could not leave the room, retry later", { room }));
      this.replay(entry.inbox);
      return;
    }
    if (this.entries.get(room) !== entry) return;
    context.room.leave(context.seat);
    context.seat.detach();
    outlet.write(leftFrame(room));
    this.settle(room, entry.inbox);
  }

  /** The room is not joined here any more; what waited for it is handled as if it arrived now. */
  private settle(room: string, inbox: RoomClientFrame[]): void {
    this.entries.delete(room);
    this.replay(inbox);
  }

  private replay(inbox: RoomClientFrame[]): void {
    for (const frame of inbox) this.options.redispatch(frame);
  }
}

/** Whether the room will be joined once its join or leave in flight and the frames waiting behind it are handled. */
function joinedInTheEnd(entry: Exclude<Entry, { kind: "joined" }>): boolean {
  for (let i = entry.inbox.length - 1; i >= 0; i--) {
    const frame = entry.inbox[i] as RoomClientFrame;
    if (frame.type === "join" || frame.type === "leave") return frame.type === "join";
  }
  return entry.kind === "joining";
}
