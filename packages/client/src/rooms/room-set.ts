import {
  type ChatFrame,
  type ClientFrame,
  DEFAULT_ROOM,
  type ErrorFrame,
  type JoinedFrame,
  type LeftFrame,
  type ReadyFrame,
  type ReadyLimits,
  ROOM_PATTERN,
} from "@chatroom/protocol";
import type { RoomNews } from "../notifications/room-news";
import type { ClientTunables } from "../options";
import type { CredentialStore } from "../persistence/credentials";
import type { ClientStorage } from "../persistence/storage";
import type { Alerts } from "../room/alerts";
import { type IncomingFrame, routeFrame } from "../room/frame-router";
import type { Identity } from "../room/identity";
import type { RoomFrame, RoomLink } from "../room/room-link";
import { RoomSession } from "../room/room-session";
import type { RoomSummary } from "../snapshot";
import type { ConnectionTimers } from "../transport/connection";
import type { ConnectionState } from "../transport/connection-machine";

export interface RoomSetOptions {
  storage: ClientStorage;
  /** The browser's passes and invites: each join sends the room's. */
  credentials: CredentialStore;
  timers: ConnectionTimers;
  tunables: ClientTunables;
  identity: Identity;
  alerts: Alerts;
  limits: () => ReadyLimits;
  /** The room the page opened on. */
  initialRoom: string;
  /** Hands a frame to the socket; false unless it is open and its `ready` arrived. */
  send: (frame: ClientFrame) => boolean;
  /** The socket is open and its `ready` arrived: joins can go out. */
  linkReady: () => boolean;
  probe: () => void;
  /** A room's `joined` arrived (the tab repeats a rename the server has not applied yet). */
  onJoined: (room: string) => void;
  /** A live chat from someone else arrived in `room`. */
  onIncoming: (room: string, message: ChatFrame) => void;
  /** A live chat or edit in one of the rooms, for the notifier. */
  onNews: (news: RoomNews) => void;
  onChange: () => void;
}

/** Where a room stands on the current socket: join sent, `joined` received, leave sent. */
type LinkState = "joining" | "joined" | "leaving";

/**
 * The tab's rooms on its one socket: a `RoomSession` per room, which one is active, where each
 * stands on the socket, and the rooms being left. On every `ready` it joins each room it holds
 * (the active one first) and each membership `ready` lists, each from its own resume point; it
 * hands every frame of a room to that room's session, and keeps the list saved for a reload.
 */
export class RoomSet {
  private readonly sessions = new Map<string, RoomSession>();
  /** The current socket's view of each room; emptied when the socket goes. */
  private readonly onLink = new Map<string, LinkState>();
  /** Rooms the user left: they deliver their unsent messages first, then `leave` goes out, then `left` drops them. */
  private readonly leaving = new Set<string>();
  /**
   * Rooms the server would not have us in (kicked, banned, refused): not joined again by
   * themselves, or a lobby we were banned from would be joined and refused forever. Opening one
   * again (the user's choice, maybe with a new invite) lifts it.
   */
  private readonly barred = new Set<string>();
  /** `ready.admin`: every room's sessions are told. */
  private admin = false;
  private activeRoom: string;
  /** The active room's read marker when it was opened, for the "new messages" line. */
  private marker: number | null = null;
  private cachedSummaries: RoomSummary[] = [];
  private readonly summaryCache = new Map<string, RoomSummary>();

  constructor(private readonly options: RoomSetOptions) {
    const saved = options.storage.loadRoomList();
    for (const room of saved.rooms) this.add(room);
    for (const room of saved.leaving) {
      this.add(room);
      this.leaving.add(room);
    }
    this.activeRoom = options.initialRoom;
    this.activate(options.initialRoom);
  }

  get active(): RoomSession {
    return this.sessions.get(this.activeRoom) as RoomSession;
  }

  get readMarkerSeq(): number | null {
    return this.marker;
  }

  /** The user's rooms by name; the same array while no line in it changed. */
  summaries(): RoomSummary[] {
    const next = this.visibleRooms().map((room) => this.summaryOf(room, this.sessions.get(room) as RoomSession));
    const cached = this.cachedSummaries;
    if (next.length !== cached.length || next.some((summary, i) => summary !== cached[i])) this.cachedSummaries = next;
    return this.cachedSummaries;
  }

  /** Unread over every room, except the active one while the page is visible (its chats are on screen). */
  totalUnread(pageVisible: boolean): number {
    let total = 0;
    for (const summary of this.summaries()) if (!(pageVisible && summary.room === this.activeRoom)) total += summary.unread;
    return total;
  }

  // ---- the socket ---------------------------------------------------------------------------

  /** The socket's `ready`: memberships to add, unread baselines, then a join for every room. */
  ready(frame: ReadyFrame): void {
    this.admin = frame.admin === true;
    const listed = new Map(frame.rooms.map((entry) => [entry.room, entry]));
    for (const room of listed.keys()) if (!this.sessions.has(room)) this.add(room);
    for (const [room, session] of this.sessions) {
      session.membership(listed.get(room) ?? null);
      session.setAdmin(this.admin);
    }
    this.noteMarker();
    this.save();
    const rest = [...this.sessions.keys()].filter((room) => room !== this.activeRoom).sort();
    for (const room of [this.activeRoom, ...rest]) this.join(room);
  }

  linkChanged(state: ConnectionState): void {
    if (state.status !== "open") this.onLink.clear();
    for (const session of this.sessions.values()) session.linkChanged(state);
  }

  /** A frame naming `room`. */
  receive(room: string, frame: IncomingFrame): void {
    const session = this.sessions.get(room);
    // A room dropped here (left, refused) may still have frames on the wire.
    if (!session) return;
    const handled = routeFrame(frame, {
      joined: (joined) => {
        this.keepPass(room, joined);
        this.onLink.set(room, "joined");
        session.receive(joined);
        // The room's read position is known now: the snapshot the session just published lacked the line.
        if (room === this.activeRoom && this.noteMarker()) this.options.onChange();
        this.options.onJoined(room);
      },
      left: (left) => this.onLeft(room, left),
      error: (error) => this.onRoomError(room, session, error),
    });
    if (!handled) session.receive(frame);
  }

  // ---- commands -----------------------------------------------------------------------------

  /** Makes `room` active, joining it first if the tab does not hold it. A name the server would refuse is ignored. */
  open(room: string): void {
    if (!ROOM_PATTERN.test(room)) return;
    const wasBarred = this.barred.delete(room);
    if (wasBarred && this.sessions.has(room) && !this.onLink.has(room)) this.join(room);
    const wasLeaving = this.leaving.delete(room);
    const isNew = !this.sessions.has(room);
    if (isNew) this.add(room);
    // A room whose leave is already on the wire is joined again when its `left` comes.
    if (isNew || (wasLeaving && !this.onLink.has(room))) this.join(room);
    if (room !== this.activeRoom) {
      // Our indicator there would otherwise linger until it idles out.
      this.active.stopTyping();
      this.activate(room);
    }
    this.save();
    this.options.onChange();
  }

  /**
   * Leaves `room`: it disappears from the list at once, delivers its unsent messages, then sends
   * `leave`; its `left` drops it and its storage. The tab's last room, the lobby, stays.
   */
  leave(room: string): void {
    if (!this.sessions.has(room) || this.leaving.has(room)) return;
    const others = this.visibleRooms().filter((other) => other !== room);
    if (others.length === 0 && room === DEFAULT_ROOM) return;
    this.leaving.add(room);
    this.sessions.get(room)?.stopTyping();
    if (room === this.activeRoom) this.activateNextAfter(room, others);
    this.save();
    this.maybeSendLeave(room);
    this.options.onChange();
  }

  markRead(): void {
    this.active.markRead();
  }

  /** Hands a frame about `room` to the socket if the room is joined on it. */
  sendTo(room: string, frame: ClientFrame): boolean {
    return this.onLink.get(room) === "joined" && this.options.send(frame);
  }

  /** Saves every room now (e.g. on `pagehide`). */
  persistAll(): void {
    for (const session of this.sessions.values()) session.persistNow();
    this.save();
  }

  // ---- internals ----------------------------------------------------------------------------

  /** A room's line in the list; the same object while nothing in it changed. */
  private summaryOf(room: string, session: RoomSession): RoomSummary {
    const next: RoomSummary = {
      room,
      unread: session.unreadCount,
      unreadMentions: session.unreadMentionCount,
      notify: session.notifyLevel,
      readSeq: session.readSeq,
      latestSeq: session.latestSeq,
      unsent: session.outbox.unsentCount,
      status: this.onLink.get(room) === "joined" ? "joined" : "joining",
    };
    const cached = this.summaryCache.get(room);
    if (cached && (Object.keys(next) as (keyof RoomSummary)[]).every((key) => cached[key] === next[key])) return cached;
    this.summaryCache.set(room, next);
    return next;
  }

  private add(room: string): RoomSession {
    const { options } = this;
    const link: RoomLink = {
      send: (frame) => this.onLink.get(room) === "joined" && options.send(withRoom(frame, room)),
      isOpen: () => this.onLink.get(room) === "joined" && options.linkReady(),
      probe: options.probe,
    };
    const session = new RoomSession({
      room,
      link,
      identity: options.identity,
      alerts: options.alerts,
      storage: options.storage,
      timers: options.timers,
      tunables: options.tunables,
      limits: options.limits,
      onIncoming: (message) => options.onIncoming(room, message),
      onNews: (news) => options.onNews({ ...news, room }),
      onChange: () => this.sessionChanged(room),
    });
    session.setAdmin(this.admin);
    this.sessions.set(room, session);
    return session;
  }

  private sessionChanged(room: string): void {
    this.sessions.get(room)?.persistSoon();
    this.maybeSendLeave(room);
    this.options.onChange();
  }

  private join(room: string): void {
    const session = this.sessions.get(room);
    if (!session || this.barred.has(room) || !this.options.linkReady()) return;
    const since = session.beginJoin();
    // The room's pass (or an invite to redeem) goes in the frame, never in a URL.
    const proof = this.options.credentials.joinProof(room);
    if (this.options.send({ type: "join", room, ...(since !== undefined ? { since } : {}), ...proof })) this.onLink.set(room, "joining");
  }

  /** A room being left sends `leave` once it is joined and nothing of its outbox is left to deliver. */
  private maybeSendLeave(room: string): void {
    if (!this.leaving.has(room) || this.onLink.get(room) !== "joined") return;
    if ((this.sessions.get(room)?.outbox.unsentCount ?? 0) > 0) return;
    if (this.options.send({ type: "leave", room })) this.onLink.set(room, "leaving");
  }

  /** A `joined` that redeemed an invite hands back a pass: every tab of the browser joins with it from now on. */
  private keepPass(room: string, joined: JoinedFrame): void {
    const { credentials } = this.options;
    if (joined.key !== undefined) credentials.setPass(room, joined.key);
    else credentials.forgetInvite(room);
  }

  private onLeft(room: string, left: LeftFrame): void {
    if (left.reason !== undefined) {
      // The server removed us (kicked, banned): the room goes, with a notice saying so. It revoked
      // our pass too: keeping it would send a dead key instead of a new invite next time.
      this.options.credentials.forgetPass(room);
      this.removed(room, left.reason, left.by);
      return;
    }
    this.onLink.delete(room);
    if (this.leaving.has(room)) this.drop(room);
    // Opened again while the leave was on its way: join it again.
    else this.join(room);
  }

  private onRoomError(room: string, session: RoomSession, error: ErrorFrame): void {
    if (error.code === "not_joined") {
      // The server does not have us in a room we think joined: whatever it refused goes out again after a rejoin.
      if (this.onLink.get(room) !== "joined") return;
      session.detached();
      this.join(room);
      return;
    }
    if (this.onLink.get(room) === "joining" && error.clientMsgId === undefined && isRefusedJoin(error.code)) {
      const { credentials } = this.options;
      if (error.code === "invite_invalid") credentials.forgetInvite(room);
      // A pass refused as `forbidden` was revoked (a kick or ban while this browser was away): it
      // goes, and an invite waiting for the room (a new link) is tried in its place.
      if (error.code === "forbidden" && credentials.pass(room) !== undefined) {
        credentials.forgetPass(room);
        if (credentials.invite(room) !== undefined) {
          this.join(room);
          return;
        }
      }
      this.removed(room, error.code);
      return;
    }
    if (error.code === "too_many_rooms") {
      this.options.alerts.raise(error.code, error.message);
      this.drop(room);
      return;
    }
    session.receive(error);
  }

  /** The server would not have us in `room`: it goes, is not joined again by itself, and the user is told. */
  private removed(room: string, reason: "kicked" | "banned" | "forbidden" | "invite_invalid", by?: LeftFrame["by"]): void {
    this.options.alerts.removedFrom(room, reason, by);
    this.barred.add(room);
    this.drop(room);
  }

  /** The room goes: its session, its storage, its place in the list. */
  private drop(room: string): void {
    const session = this.sessions.get(room);
    if (!session) return;
    session.forget();
    this.sessions.delete(room);
    this.summaryCache.delete(room);
    this.leaving.delete(room);
    this.onLink.delete(room);
    if (room === this.activeRoom) this.activateNextAfter(room, this.visibleRooms());
    this.save();
    this.options.onChange();
  }

  private activate(room: string): void {
    if (!this.sessions.has(room)) {
      this.add(room);
      this.join(room);
    }
    this.leaving.delete(room);
    this.activeRoom = room;
    this.marker = null;
    this.noteMarker();
  }

  /** The room after `room` by name becomes active, else the one before it, else the lobby. */
  private activateNextAfter(room: string, candidates: string[]): void {
    const next = candidates.find((other) => other > room) ?? candidates.filter((other) => other < room).pop() ?? DEFAULT_ROOM;
    this.activate(next);
  }

  /** The marker is taken once per opening, as soon as the room's read position is known. */
  private noteMarker(): boolean {
    const session = this.active;
    if (this.marker !== null || !session.readSeqKnown) return false;
    this.marker = session.readSeq;
    return true;
  }

  private visibleRooms(): string[] {
    return [...this.sessions.keys()].filter((room) => !this.leaving.has(room)).sort();
  }

  private save(): void {
    this.options.storage.saveRoomList({ rooms: this.visibleRooms(), leaving: [...this.leaving].sort() });
  }
}

/** Answers to a `join` that mean we may not be in the room (not a member of a private room, banned, a spent invite). */
function isRefusedJoin(code: ErrorFrame["code"]): code is "forbidden" | "banned" | "invite_invalid" {
  return code === "forbidden" || code === "banned" || code === "invite_invalid";
}

/** A room session's frame with its room: the session never names the room, its link does. */
function withRoom(frame: RoomFrame, room: string): ClientFrame {
  // Spreading a union loses its discriminant for the checker; every RoomFrame plus `room` is a ClientFrame.
  return { ...frame, room } as ClientFrame;
}
