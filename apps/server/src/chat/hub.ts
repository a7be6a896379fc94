import { CLOSE_CODES, decodeServerFrame, type NotifyLevel, type User } from "@chatroom/protocol";
import type { Backend } from "../backend/backend";
import type { RoomCount } from "../backend/cluster-presence";
import type { BusEvent, RoomBusHandlers } from "../backend/room-bus";
import { ChatConnection, type ConnectionServices } from "./connection/chat-connection";
import type { RoomDirectory, TokenAuth } from "./connection/context";
import type { ChatDeps } from "./deps";
import { errorFrame, notifyFrame } from "./frames";
import type { ConnectionHandle, Peer } from "./ports";
import { Room } from "./room/room";

export interface HubOptions {
  backend: Backend;
  deps: ChatDeps;
  /** `AUTH=jwt`: how host-app tokens are checked. Absent: anonymous guests. */
  tokens?: TokenAuth;
  /**
   * A store other processes write (`backend.sharedLog`): how often the hub reads the latest seq of
   * every room served here, in one `latestSeqs` call, and fills the rooms the store is ahead of.
   * The next event shows a hole too; this finds one in a room that has gone quiet: a node died
   * between its COMMIT and its PUBLISH, or a COMMIT whose answer was lost with the connection did happen.
   */
  seqCheckMs?: number;
}

/**
 * Every room this node serves and every connection it holds. Transport glue hands it a `Peer`;
 * everything after that is protocol, not sockets. One connection per session: a newer one's
 * `ready` replaces the older (on this node; nodes of a cluster do not coordinate this).
 */
export class ChatHub implements RoomDirectory {
  private readonly backend: Backend;
  private readonly deps: ChatDeps;
  private readonly services: ConnectionServices;
  private readonly rooms = new Map<string, Room>();
  private readonly activating = new Map<string, Promise<Room>>();
  private readonly connections = new Set<ChatConnection>();
  private readonly bySession = new Map<string, ChatConnection>();
  private readonly unsubscribers = new Map<string, () => Promise<void>>();
  private shuttingDown = false;
  private seqCheck: unknown = null;
  /** Rooms asked to resync since the last read of the store, read together on the next microtask. */
  private readonly resyncing = new Set<Room>();
  /** Rooms another node serves that the store said are private, for `/api/rooms`. */
  private readonly knownPrivate = new Set<string>();

  constructor(options: HubOptions) {
    this.backend = options.backend;
    this.deps = options.deps;
    this.services = {
      deps: options.deps,
      messages: options.backend.messages,
      search: options.backend.search,
      sessions: options.backend.sessions,
      memberships: options.backend.memberships,
      access: options.backend.access,
      adminKey: options.backend.adminKey,
      ...(options.tokens ? { tokens: options.tokens } : {}),
      rooms: this,
      claimSession: (session, connection) => this.claimSession(session, connection),
      forget: (connection) => this.forget(connection),
    };
    if (options.seqCheckMs !== undefined) this.checkSeqsEvery(options.seqCheckMs);
  }

  /**
   * One store read per period for every room served here, however many: the next period is set
   * once this one's read is answered, so a slow store is never asked twice at once.
   */
  private checkSeqsEvery(ms: number): void {
    this.seqCheck = this.deps.timers.setTimeout(() => {
      if (this.shuttingDown) return;
      void this.fillFromStore([...this.rooms.values()]).finally(() => {
        if (!this.shuttingDown) this.checkSeqsEvery(ms);
      });
    }, ms);
  }

  /** Synchronously wires a new connection, which then waits for the client's `hello`. */
  open(peer: Peer): ConnectionHandle {
    const connection = new ChatConnection(this.services, peer);
    this.connections.add(connection);
    if (this.shuttingDown) connection.fail("server_error", "server is shutting down", CLOSE_CODES.shuttingDown.code);
    return connection;
  }

  /** A protocol 1 client (its room and session in the URL): told to update, and closed. */
  refuseOutdated(peer: Peer): void {
    peer.send(errorFrame("unsupported_protocol", "this server speaks protocol 2 only: update the client"));
    peer.close(CLOSE_CODES.unsupportedProtocol.code, CLOSE_CODES.unsupportedProtocol.reason);
  }

  private claimSession(session: string, connection: ChatConnection): void {
    const older = this.bySession.get(session);
    this.bySession.set(session, connection);
    if (older && older !== connection) older.close(CLOSE_CODES.replaced.code, CLOSE_CODES.replaced.reason);
  }

  private forget(connection: ChatConnection): void {
    this.connections.delete(connection);
    if (connection.session !== undefined && this.bySession.get(connection.session) === connection)
      this.bySession.delete(connection.session);
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** The room, created and subscribed to other nodes' events on first use. */
  async activate(name: string): Promise<Room> {
    const existing = this.rooms.get(name);
    if (existing) return existing;
    let pending = this.activating.get(name);
    if (!pending) {
      pending = this.createRoom(name).finally(() => this.activating.delete(name));
      this.activating.set(name, pending);
    }
    return pending;
  }

  active(name: string): Room | undefined {
    return this.rooms.get(name);
  }

  /** Reports reach the room's staff online on this node now, and on the other nodes over the bus. */
  toStaff(room: string, frame: string): void {
    this.rooms.get(room)?.sendToStaff(frame);
    this.backend.bus.publishStaff(room, frame).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, room }, "could not publish a report to other nodes");
    });
  }

  /** A user's new notification level reaches their seats in the room here now, and on the other nodes over the bus. */
  notifyUser(room: string, userId: string, level: NotifyLevel): void {
    this.rooms.get(room)?.sendToUser(userId, notifyFrame(room, level));
    this.backend.bus.publishNotify(room, userId, level).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, room }, "could not publish a notification level to other nodes");
    });
  }

  private async createRoom(name: string): Promise<Room> {
    const { messages, presence, bus } = this.backend;
    let room: Room | undefined;
    // Events that arrive while the room is being set up are applied once it exists, and so is a
    // resync: the bus may have lost events after the latest seq was read.
    const early: BusEvent[] = [];
    let resyncEarly = false;
    const handlers: RoomBusHandlers = {
      event: (event) => (room ? applyEvent(room, event) : early.push(event)),
      resync: () => {
        if (room) this.resync(room);
        else resyncEarly = true;
      },
    };
    // Subscribe before reading latestSeq and presence, so no change can fall between the two.
    const unsubscribe = await bus.subscribe(name, handlers);
    let created: Room;
    try {
      const [latestSeq, present] = await Promise.all([messages.latestSeq(name), presence?.members(name) ?? []]);
      created = new Room({
        name,
        latestSeq,
        deps: this.deps,
        fillGap: async (after, upTo) => (await messages.range(name, { after, upTo, limit: upTo - after })).messages,
        loadChats: async (upTo, limit) => (await messages.latestChats(name, upTo, limit)).messages,
        onEmpty: (empty) => this.retire(empty),
        ...(presence ? { cluster: { presence, publishTyping: (user, active) => this.publishTyping(name, user, active) } } : {}),
      });
      created.seedRemote(present);
    } catch (error) {
      await unsubscribe().catch(() => {});
      throw error;
    }
    // Before any chat is resolved here: mentions of absent recent authors need it (room.ts).
    await created.loadRecentAuthors().catch((error: unknown) => {
      this.deps.logger.warn({ err: error, room: name }, "could not read the room's recent authors; mentions of them wait for the next try");
    });
    room = created;
    for (const event of early) applyEvent(created, event);
    if (resyncEarly) this.resync(created);
    this.rooms.set(name, created);
    this.unsubscribers.set(name, unsubscribe);
    return created;
  }

  /**
   * The bus may have missed events: the room fills up to the store's latest seq. The rooms a bus
   * reconnect asks for all at once (every room served here) are read together, in one call.
   */
  private resync(room: Room): void {
    this.resyncing.add(room);
    if (this.resyncing.size > 1) return;
    queueMicrotask(() => {
      const rooms = [...this.resyncing];
      this.resyncing.clear();
      void this.fillFromStore(rooms);
    });
  }

  /** One read of the rooms' latest seqs; each room the store is ahead of fills from it. Never rejects. */
  private async fillFromStore(rooms: readonly Room[]): Promise<void> {
    if (rooms.length === 0) return;
    let latest: Map<string, number>;
    try {
      latest = await this.backend.messages.latestSeqs(rooms.map((room) => room.name));
    } catch (error) {
      this.deps.logger.warn({ err: error, rooms: rooms.length }, "could not read the latest seqs to fill rooms from the store");
      return;
    }
    for (const room of rooms) {
      // A room retired while the store answered is no longer served here.
      if (this.rooms.get(room.name) !== room) continue;
      const latestSeq = latest.get(room.name) ?? 0;
      if (latestSeq > room.deliveredSeq) room.catchUp(latestSeq);
    }
  }

  private publishTyping(room: string, user: User, active: boolean): void {
    this.backend.bus.publishTyping(room, user, active).catch((error: unknown) => {
      this.deps.logger.warn({ err: error, room }, "could not publish typing to other nodes");
    });
  }

  private retire(room: Room): void {
    if (room.localMemberCount > 0 || room.seatCount > 0 || room.reserved) return;
    room.dispose();
    this.rooms.delete(room.name);
    const unsubscribe = this.unsubscribers.get(room.name);
    this.unsubscribers.delete(room.name);
    unsubscribe?.().catch((error: unknown) => this.deps.logger.warn({ err: error, room: room.name }, "unsubscribe failed"));
  }

  /**
   * Rooms with members (on any node of a cluster), busiest first. Private rooms are never listed:
   * their members find them in `ready.rooms`. A room another node serves is asked of the store.
   */
  async listRooms(limit: number): Promise<RoomCount[]> {
    if (this.backend.presence) {
      const listed = await this.backend.presence.rooms(limit);
      const open = await Promise.all(listed.map(async (entry) => !(await this.isPrivate(entry.name))));
      return listed.filter((_, index) => open[index]);
    }
    return [...this.rooms.values()]
      .filter((room) => room.memberCount > 0 && !room.private)
      .map((room) => ({ name: room.name, memberCount: room.memberCount }))
      .sort((a, b) => b.memberCount - a.memberCount || a.name.localeCompare(b.name))
      .slice(0, limit);
  }

  private async isPrivate(name: string): Promise<boolean> {
    const room = this.rooms.get(name);
    if (room && room.localMemberCount > 0) return room.private;
    // A room stays private once made so: only that answer is kept (an open room may be created private later).
    if (this.knownPrivate.has(name)) return true;
    const { private: isPrivate } = await this.backend.access.meta(name);
    if (isPrivate) this.knownPrivate.add(name);
    return isPrivate;
  }

  /** Tells everyone, then closes every connection as shutting down, so clients resume elsewhere or later. */
  shutdown(notice: string): void {
    this.shuttingDown = true;
    this.deps.timers.clearTimeout(this.seqCheck);
    for (const room of this.rooms.values()) room.announce(notice);
    for (const connection of this.connections) connection.close(CLOSE_CODES.shuttingDown.code, CLOSE_CODES.shuttingDown.reason);
    for (const room of this.rooms.values()) room.dispose();
  }
}

function applyEvent(room: Room, event: BusEvent): void {
  if (event.kind === "event") room.deliver(event.event);
  else if (event.kind === "typing") room.applyRemoteTyping(event.user, event.active);
  else if (event.kind === "staff") {
    // Only what a node of this build would send: a report or its resolution, for this room.
    const decoded = decodeServerFrame(event.frame);
    if (decoded.ok && (decoded.frame.type === "report" || decoded.frame.type === "report-resolved") && decoded.frame.room === room.name)
      room.sendToStaff(event.frame);
  } else if (event.kind === "notify") room.sendToUser(event.userId, notifyFrame(room.name, event.level));
  else room.applyRemote(event);
}
