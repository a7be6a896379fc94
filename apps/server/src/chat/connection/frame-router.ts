import { CLOSE_CODES, type ClientFrame, type ClientFrameOf, type ClientFrameType, errorCodeFor, ROOM_PATTERN } from "@chatroom/protocol";
import { errorFrame, pongFrame } from "../frames";
import { handleCreate } from "./access-handlers";
import type { ConnectionContext } from "./context";
import { refuseIfLimited } from "./handlers";
import { TokenLease } from "./host-token";
import { JoinedRooms } from "./joined-rooms";
import { renameEverywhere } from "./rename";
import { handleSearch } from "./search";

type Route<T extends ClientFrameType> = (router: FrameRouter, frame: ClientFrameOf<T>) => void;

/** Where each client frame goes once the connection is ready: a new frame type fails to compile here until it has a route. */
const routes: { [T in ClientFrameType]: Route<T> } = {
  hello: (router) => router.connection.outlet.write(errorFrame("bad_request", "hello was already said on this connection")),
  join: (router, frame) => router.join(frame),
  rename: (router, frame) => router.rename(frame),
  ping: (router, frame) => router.connection.outlet.write(pongFrame(frame.t)),
  leave: (router, frame) => router.rooms.route(frame),
  chat: (router, frame) => router.rooms.route(frame),
  edit: (router, frame) => router.rooms.route(frame),
  delete: (router, frame) => router.rooms.route(frame),
  react: (router, frame) => router.rooms.route(frame),
  typing: (router, frame) => router.rooms.route(frame),
  history: (router, frame) => router.rooms.route(frame),
  read: (router, frame) => router.rooms.route(frame),
  notify: (router, frame) => router.rooms.route(frame),
  moderate: (router, frame) => router.rooms.route(frame),
  report: (router, frame) => router.rooms.route(frame),
  "resolve-report": (router, frame) => router.rooms.route(frame),
  invite: (router, frame) => router.rooms.route(frame),
  "revoke-invite": (router, frame) => router.rooms.route(frame),
  "room-admin": (router, frame) => router.rooms.route(frame),
  create: (router, frame) => router.create(frame),
  auth: (router, frame) => router.auth(frame),
  search: (router, frame) => router.search(frame),
};

/**
 * A ready connection's frames: each is decoded and sent to its route. Joins and renames are kept
 * in order with each other, since a join claims the user's name: a rename waits for the joins
 * before it to finish, and a join that arrives while a rename waits or runs goes after it.
 */
export class FrameRouter {
  readonly rooms: JoinedRooms;
  private renaming = false;
  private readonly waiting: Array<ClientFrameOf<"join" | "rename">> = [];
  /** `AUTH=jwt`: the token's expiry, moved on by `auth`. */
  private readonly lease: TokenLease | undefined;

  constructor(readonly connection: ConnectionContext) {
    const { tokens } = connection.services;
    this.lease = tokens && connection.identity.claims ? new TokenLease(connection, tokens) : undefined;
    this.rooms = new JoinedRooms({
      connection,
      redispatch: (frame) => this.dispatch(frame),
      joinSettled: () => this.drain(),
      // A moderator's rename is this user's rename, without its budget: in order with joins, everywhere.
      renamedBy: (name) => this.queueRename({ type: "rename", name }),
    });
  }

  /** One text frame from the client. */
  receive(text: string): void {
    const { services, outlet, budgets } = this.connection;
    const { deps } = services;
    const decoded = deps.codec.decode(text);
    if (!decoded.ok) {
      const { error } = decoded;
      deps.metrics.badFrame(error.reason);
      const room = error.reason === "too_long" || error.reason === "invalid_field" ? roomNamedIn(text) : undefined;
      outlet.write(
        errorFrame(errorCodeFor(error), error.message, {
          ...(room === undefined ? {} : { room }),
          ...(error.clientMsgId === undefined ? {} : { clientMsgId: error.clientMsgId }),
        }),
      );
      if (budgets.badFrameTooOften(deps.timers.now())) outlet.close(CLOSE_CODES.badRequest.code, "too many bad frames");
      return;
    }
    deps.metrics.frameIn(decoded.frame.type);
    this.dispatch(decoded.frame);
  }

  dispatch(frame: ClientFrame): void {
    (routes[frame.type] as Route<ClientFrameType>)(this, frame);
  }

  join(frame: ClientFrameOf<"join">): void {
    if (!this.rooms.accept(frame)) return;
    if (this.renaming || this.waiting.length > 0) this.waiting.push(frame);
    else this.rooms.start(frame);
  }

  create(frame: ClientFrameOf<"create">): void {
    const { services, outlet } = this.connection;
    handleCreate(this.connection, frame).catch((error: unknown) => {
      services.deps.logger.error({ err: error, room: frame.room }, "create failed");
      outlet.write(errorFrame("server_error", "the room was not created; retry", { room: frame.room, clientMsgId: frame.clientMsgId }));
    });
  }

  /** Needs no joined room: the handler works out which rooms the user may read. */
  search(frame: ClientFrameOf<"search">): void {
    const { services, outlet } = this.connection;
    handleSearch(this.connection, frame).catch((error: unknown) => {
      services.deps.logger.error({ err: error }, "search failed");
      outlet.write(errorFrame("server_error", "the search failed; retry", { clientMsgId: frame.clientMsgId }));
    });
  }

  rename(frame: ClientFrameOf<"rename">): void {
    // A host app's user is named by the host app's token, not by the client.
    if (this.connection.identity.claims) {
      this.connection.outlet.write(errorFrame("forbidden", "names come from the host app's token on this server"));
      return;
    }
    // Every rename is a store write and a frame to each room: it spends the same budget as a chat.
    if (refuseIfLimited(this.connection, "chat")) return;
    this.queueRename(frame);
  }

  private queueRename(frame: ClientFrameOf<"rename">): void {
    if (this.renaming || this.rooms.joinsInFlight > 0 || this.waiting.length > 0) this.waiting.push(frame);
    else this.runRename(frame);
  }

  /** A fresh host-app token; an anonymous server has no use for one. */
  auth(frame: ClientFrameOf<"auth">): void {
    if (this.lease) this.lease.refresh(frame);
    else this.connection.outlet.write(errorFrame("bad_request", "auth is for servers with AUTH=jwt; this one is anonymous"));
  }

  /** The socket is gone. */
  release(): void {
    this.lease?.end();
    this.waiting.length = 0;
    this.rooms.releaseAll();
  }

  private runRename(frame: ClientFrameOf<"rename">): void {
    const { services, outlet } = this.connection;
    this.renaming = true;
    renameEverywhere(this.connection, this.rooms.seats(), frame)
      .catch((error: unknown) => {
        services.deps.logger.error({ err: error }, "rename failed");
        outlet.write(errorFrame("server_error", "could not rename, retry later"));
      })
      .finally(() => {
        this.renaming = false;
        this.drain();
      });
  }

  /** Starts what waited: joins up to the next rename, and that rename once no join is in flight. */
  private drain(): void {
    while (!this.renaming && this.waiting.length > 0 && this.connection.outlet.isOpen) {
      const next = this.waiting[0] as ClientFrameOf<"join" | "rename">;
      if (next.type === "rename") {
        if (this.rooms.joinsInFlight > 0) return;
        this.waiting.shift();
        this.runRename(next);
        return;
      }
      this.waiting.shift();
      this.rooms.start(next);
    }
  }
}

/** The room a frame that failed to decode names, so the error about it can say which room it was. */
function roomNamedIn(text: string): string | undefined {
  try {
    const room = (JSON.parse(text) as { room?: unknown }).room;
    return typeof room === "string" && ROOM_PATTERN.test(room) ? room : undefined;
  } catch {
    return undefined;
  }
}
