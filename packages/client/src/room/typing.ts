import type { ServerFrameOf, User } from "@chatroom/protocol";
import type { ConnectionTimers } from "../transport/connection";
import type { RoomFrame } from "./room-link";

export interface TypingOptions {
  timers: ConnectionTimers;
  /** Hands a frame to the room's link; false when it cannot take it. */
  send: (frame: RoomFrame) => boolean;
  typingSendEveryMs: number;
  serverTypingThrottleMs: number;
  typingExpiresMs: number;
  /** Someone's indicator expired. */
  onChange: () => void;
}

/**
 * Typing, both ways: our own `typing` frames (throttled, cleared after a quiet spell, timed so the
 * server's throttle does not drop a restart) and the others' indicators, each expiring without news.
 */
export class Typing {
  private lastSentAt = Number.NEGATIVE_INFINITY;
  private active = false;
  private idleTimer: unknown = null;
  private lastStartAt = Number.NEGATIVE_INFINITY;
  private startTimer: unknown = null;
  private typers = new Map<string, { user: User; expiresAt: number }>();
  private typersTimer: unknown = null;
  private cachedList: User[] | null = null;

  constructor(private readonly options: TypingOptions) {}

  /** Who is typing now, apart from us. */
  get list(): User[] {
    this.cachedList ??= [...this.typers.values()].map((typer) => typer.user);
    return this.cachedList;
  }

  /** Call on every keystroke; sends `typing` at most once per 2 s and clears it after 5 s of quiet. */
  note(): void {
    const { timers } = this.options;
    const now = timers.now();
    if (now - this.lastSentAt >= this.options.typingSendEveryMs && this.startTimer === null) {
      // Typing again right after a send would be dropped by the server and not repeated for 2 s: send it once the server takes it.
      const wait = this.lastStartAt + this.options.serverTypingThrottleMs - now;
      if (wait > 0) {
        this.startTimer = timers.setTimeout(() => {
          this.startTimer = null;
          this.sendStart();
        }, wait);
      } else {
        this.sendStart();
      }
    }
    timers.clearTimeout(this.idleTimer);
    this.idleTimer = timers.setTimeout(() => this.stop(), this.options.typingExpiresMs);
  }

  stop(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.idleTimer);
    this.idleTimer = null;
    timers.clearTimeout(this.startTimer);
    this.startTimer = null;
    if (!this.active) return;
    this.active = false;
    this.lastSentAt = Number.NEGATIVE_INFINITY;
    this.options.send({ type: "typing", active: false });
  }

  /** The link dropped: the server forgot our indicator with the connection. */
  linkLost(): void {
    this.active = false;
  }

  /** Someone else's `typing` frame; false when it changed nothing (our own, echoed). */
  received(frame: ServerFrameOf<"typing">, meId: string | undefined): boolean {
    if (frame.user.id === meId) return false;
    if (frame.active)
      this.typers.set(frame.user.id, { user: frame.user, expiresAt: this.options.timers.now() + this.options.typingExpiresMs });
    else this.typers.delete(frame.user.id);
    this.cachedList = null;
    this.scheduleExpiry();
    return true;
  }

  /** They sent a message or left: their indicator goes. */
  forget(userId: string): void {
    if (this.typers.delete(userId)) this.cachedList = null;
  }

  renamed(user: User): void {
    const typer = this.typers.get(user.id);
    if (!typer) return;
    typer.user = user;
    this.cachedList = null;
  }

  /** A `joined`: indicators from before it are stale. */
  clearOthers(): void {
    if (this.typers.size > 0) this.cachedList = null;
    this.typers.clear();
  }

  dispose(): void {
    const { timers } = this.options;
    for (const handle of [this.idleTimer, this.startTimer, this.typersTimer]) timers.clearTimeout(handle);
    this.idleTimer = this.startTimer = this.typersTimer = null;
  }

  private sendStart(): void {
    const now = this.options.timers.now();
    if (!this.options.send({ type: "typing", active: true })) return;
    this.lastSentAt = now;
    this.lastStartAt = now;
    this.active = true;
  }

  private scheduleExpiry(): void {
    const { timers } = this.options;
    timers.clearTimeout(this.typersTimer);
    this.typersTimer = null;
    if (this.typers.size === 0) return;
    const next = Math.min(...[...this.typers.values()].map((typer) => typer.expiresAt));
    this.typersTimer = timers.setTimeout(
      () => {
        const now = timers.now();
        for (const [id, typer] of this.typers) if (typer.expiresAt <= now) this.typers.delete(id);
        this.cachedList = null;
        this.scheduleExpiry();
        this.options.onChange();
      },
      Math.max(0, next - timers.now()),
    );
  }
}
