import { randomBytes } from "node:crypto";
import {
  type ChatFrame,
  type ClientCodec,
  createClientCodec,
  createConnectQuerySchema,
  ERROR_CODES,
  type ErrorCode,
  encode,
  type ServerFrame,
  type User,
} from "@chatroom/protocol";
import type { Backend, RoomEvent } from "../backend/backend";
import { ChatConnection } from "./chat-connection";
import { type ChatMetrics, noopChatMetrics } from "./chat-metrics";
import type { ChatLimits } from "./limits";
import type { ChatLogger, Peer, Timers } from "./peer";
import { Room } from "./room";

export interface HubOptions {
  backend: Backend;
  limits: ChatLimits;
  timers: Timers;
  logger: ChatLogger;
}

export interface RoomSummary {
  name: string;
  memberCount: number;
}

/**
 * Every room this node serves, and the entry point for new connections. Transport glue hands
 * it a `Peer` and the raw query; everything after that is protocol, not sockets.
 */
export class ChatHub {
  readonly backend: Backend;
  readonly limits: ChatLimits;
  readonly timers: Timers;
  readonly logger: ChatLogger;
  readonly codec: ClientCodec;
  readonly querySchema: ReturnType<typeof createConnectQuerySchema>;
  /** Replaced by the metrics plugin when metrics are on. */
  metrics: ChatMetrics = noopChatMetrics;
  private readonly rooms = new Map<string, Room>();
  private readonly activating = new Map<string, Promise<Room>>();
  private readonly connections = new Set<ChatConnection>();
  private readonly unsubscribers = new Map<string, () => Promise<void>>();
  private shuttingDown = false;

  constructor(options: HubOptions) {
    this.backend = options.backend;
    this.limits = options.limits;
    this.timers = options.timers;
    this.logger = options.logger;
    this.codec = createClientCodec(options.limits);
    this.querySchema = createConnectQuerySchema(options.limits.maxNameLength);
  }

  /** Synchronously wires a new connection; the welcome follows asynchronously. */
  open(peer: Peer, rawQuery: Record<string, unknown>): ChatConnection {
    const connection = new ChatConnection(this, peer);
    this.connections.add(connection);
    if (this.shuttingDown) {
      connection.fail("server_error", "server is shutting down", 1001);
      return connection;
    }
    const query = this.querySchema.safeParse(rawQuery);
    if (!query.success) {
      const issue = query.error.issues[0];
      const field = issue?.path.join(".");
      connection.fail("bad_request", field ? `${field}: ${issue?.message}` : "invalid query", 4501);
      return connection;
    }
    void connection.join(query.data);
    return connection;
  }

  forget(connection: ChatConnection): void {
    this.connections.delete(connection);
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

  private async createRoom(name: string): Promise<Room> {
    let room: Room | undefined;
    // Events that arrive while the room is being set up are applied once it exists.
    const early: RoomEvent[] = [];
    const apply = (target: Room, event: RoomEvent) => {
      if (event.origin === this.backend.nodeId) return;
      if (event.kind === "chat") target.deliver(event.message);
      else if (event.kind === "typing") target.applyRemoteTyping(event.user, event.active);
      else target.applyRemote(event);
    };
    // Subscribe before reading latestSeq and presence, so no change can fall between the two.
    const unsubscribe = await this.backend.subscribe(name, (event) => (room ? apply(room, event) : early.push(event)));
    let created: Room;
    try {
      const [latestSeq, present] = await Promise.all([this.backend.latestSeq(name), this.backend.presence?.members(name) ?? []]);
      created = new Room(
        name,
        latestSeq,
        this.limits,
        this.timers,
        this.fillGap,
        this.logger,
        (empty) => this.retire(empty),
        this.backend.presence,
        this.backend.presence && ((user, active) => this.publishTyping(name, user, active)),
      );
      created.seedRemote(present);
    } catch (error) {
      await unsubscribe().catch(() => {});
      throw error;
    }
    room = created;
    for (const event of early) apply(created, event);
    this.rooms.set(name, created);
    this.unsubscribers.set(name, unsubscribe);
    return created;
  }

  private publishTyping(room: string, user: User, active: boolean): void {
    this.backend.publish(room, { kind: "typing", origin: this.backend.nodeId, user, active }).catch((error: unknown) => {
      this.logger.warn({ err: error, room }, "could not publish typing to other nodes");
    });
  }

  private readonly fillGap = async (room: string, after: number, upTo: number): Promise<ChatFrame[]> => {
    const result = await this.backend.range(room, { after, upTo, limit: upTo - after });
    return result.messages;
  };

  private retire(room: Room): void {
    if (room.localMemberCount > 0 || room.connectionCount > 0 || room.reserved) return;
    room.dispose();
    this.rooms.delete(room.name);
    const unsubscribe = this.unsubscribers.get(room.name);
    this.unsubscribers.delete(room.name);
    unsubscribe?.().catch((error: unknown) => this.logger.warn({ err: error, room: room.name }, "unsubscribe failed"));
  }

  /** Rooms with members (on any node of a cluster), busiest first. */
  async listRooms(limit: number): Promise<RoomSummary[]> {
    if (this.backend.presence) return this.backend.presence.rooms(limit);
    return [...this.rooms.values()]
      .filter((room) => room.memberCount > 0)
      .map((room) => ({ name: room.name, memberCount: room.memberCount }))
      .sort((a, b) => b.memberCount - a.memberCount || a.name.localeCompare(b.name))
      .slice(0, limit);
  }

  /** Tells everyone, then closes every connection with 1001 so clients resume elsewhere or later. */
  shutdown(notice: string): void {
    this.shuttingDown = true;
    for (const room of this.rooms.values()) room.announce(notice);
    for (const connection of this.connections) connection.close(1001, "server shutting down");
    for (const room of this.rooms.values()) room.dispose();
  }

  newSessionToken(): string {
    return randomBytes(18).toString("base64url");
  }

  newUserId(): string {
    return `u_${randomBytes(9).toString("base64url")}`;
  }

  guestName(): string {
    return `guest-${randomBytes(4).readUInt32BE(0).toString(36).padStart(4, "0").slice(-4)}`;
  }

  errorFrame(code: ErrorCode, message: string = ERROR_CODES[code], extra: { clientMsgId?: string; retryAfterMs?: number } = {}): string {
    const frame: ServerFrame = { type: "error", code, message, ...extra };
    return encode(frame);
  }
}
