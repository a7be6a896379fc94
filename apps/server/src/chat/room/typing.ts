import type { User } from "@chatroom/protocol";
import { copyUser, typingFrame } from "../frames";
import type { ChatLimits } from "../limits";
import type { RoomSeat, Timers } from "../ports";

/** One seat's typing: its announced state, its throttle and its two timers. */
interface SeatTyping {
  active: boolean;
  lastStartAt: number;
  /** Announces the stop when the typist says nothing more. */
  expiry: unknown;
  /** A throttled start, announced when the throttle window ends. */
  deferred: unknown;
}

export interface TypingOptions {
  room: string;
  limits: Pick<ChatLimits, "typingThrottleMs" | "typingTimeoutMs">;
  timers: Timers;
  /** The user sitting in a seat, as the room knows it now. */
  userOf(seat: RoomSeat): User | undefined;
  /** Sends a typing frame now to every seat of the room except those `skip` excludes. */
  send(frame: string, skip: (seat: RoomSeat) => boolean): void;
  /** Tells the other nodes (cluster backends only). */
  publish?(user: User, active: boolean): void;
}

/**
 * Who is typing. At most one `active: true` per throttle window reaches the room, so a client
 * toggling as fast as it can costs the room little; one that comes early is delivered when its
 * window ends rather than dropped, so the room always settles on the typist's latest state (true,
 * false, true in a burst must end as "typing"). A stop goes out at once.
 */
export class Typing {
  private readonly seats = new Map<RoomSeat, SeatTyping>();

  constructor(private readonly options: TypingOptions) {}

  /** A client's `typing` frame. */
  request(seat: RoomSeat, active: boolean): void {
    if (!active) {
      this.set(seat, false);
      return;
    }
    const { timers, limits } = this.options;
    const state = this.stateOf(seat);
    timers.clearTimeout(state.deferred);
    state.deferred = null;
    const wait = state.lastStartAt + limits.typingThrottleMs - timers.now();
    if (wait > 0) {
      state.deferred = timers.setTimeout(() => {
        state.deferred = null;
        this.start(seat);
      }, wait);
      return;
    }
    this.start(seat);
  }

  /** The seat stopped typing (it sent a message); a deferred start is cancelled too. */
  stop(seat: RoomSeat): void {
    this.set(seat, false);
  }

  /** The seat left the room: announces its stop and forgets it. */
  forget(seat: RoomSeat): void {
    this.set(seat, false);
    const state = this.seats.get(seat);
    if (state) this.options.timers.clearTimeout(state.expiry);
    this.seats.delete(seat);
  }

  /** A typist on another node, already throttled there; its node also sends the stop (or the client lets it expire). */
  applyRemote(user: User, active: boolean): void {
    this.options.send(typingFrame(this.options.room, user, active), (seat) => seat.userId === user.id);
  }

  /** Cancels every timer, for shutdown. */
  dispose(): void {
    for (const state of this.seats.values()) {
      this.options.timers.clearTimeout(state.expiry);
      this.options.timers.clearTimeout(state.deferred);
    }
  }

  private start(seat: RoomSeat): void {
    const state = this.stateOf(seat);
    state.lastStartAt = this.options.timers.now();
    // Already typing: announce it again, so everyone's expiry restarts.
    state.active = false;
    this.set(seat, true);
  }

  private set(seat: RoomSeat, active: boolean): void {
    const { timers } = this.options;
    const state = this.seats.get(seat);
    if (!state) return;
    if (!active) {
      timers.clearTimeout(state.deferred);
      state.deferred = null;
    }
    if (state.active === active) return;
    state.active = active;
    timers.clearTimeout(state.expiry);
    state.expiry = active ? timers.setTimeout(() => this.set(seat, false), this.options.limits.typingTimeoutMs) : null;
    const user = this.options.userOf(seat);
    if (!user) return;
    this.options.send(typingFrame(this.options.room, user, active), (other) => other === seat);
    this.options.publish?.(copyUser(user), active);
  }

  private stateOf(seat: RoomSeat): SeatTyping {
    let state = this.seats.get(seat);
    if (!state) {
      state = { active: false, lastStartAt: Number.NEGATIVE_INFINITY, expiry: null, deferred: null };
      this.seats.set(seat, state);
    }
    return state;
  }
}
