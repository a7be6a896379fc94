import type { ServerFrame, ServerFrameOf, UnknownRoomEvent } from "@chatroom/protocol";

/** What the socket hands over: a protocol 2 frame, or a stored room event of a kind this client does not know. */
export type IncomingFrame = ServerFrame | UnknownRoomEvent;
export type IncomingType = IncomingFrame["type"];
export type IncomingOf<T extends IncomingType> = T extends ServerFrame["type"] ? ServerFrameOf<T> : UnknownRoomEvent;

/** One handler per frame type; a listener leaves out the types it has no use for. */
export type FrameHandlers = { [T in IncomingType]?: (frame: IncomingOf<T>) => unknown };

/**
 * The room a frame belongs to, or undefined for the connection's own frames (`ready`, `pong`, an
 * `error` about no room). Every room frame carries `room`.
 */
export function roomOf(frame: IncomingFrame): string | undefined {
  return "room" in frame ? frame.room : undefined;
}

/**
 * Hands a frame to the handler for its type, and says whether there was one. The only `switch`
 * over server frame types in the client: a new frame type is added here and in the parts that read it.
 */
export function routeFrame(frame: IncomingFrame, handlers: FrameHandlers): boolean {
  switch (frame.type) {
    case "ready":
      return call(handlers.ready, frame);
    case "joined":
      return call(handlers.joined, frame);
    case "left":
      return call(handlers.left, frame);
    case "chat":
      return call(handlers.chat, frame);
    case "edit":
      return call(handlers.edit, frame);
    case "delete":
      return call(handlers.delete, frame);
    case "reaction":
      return call(handlers.reaction, frame);
    case "history":
      return call(handlers.history, frame);
    case "ack":
      return call(handlers.ack, frame);
    case "system":
      return call(handlers.system, frame);
    case "typing":
      return call(handlers.typing, frame);
    case "error":
      return call(handlers.error, frame);
    case "pong":
      return call(handlers.pong, frame);
    case "moderation":
      return call(handlers.moderation, frame);
    case "created":
      return call(handlers.created, frame);
    case "invite-created":
      return call(handlers["invite-created"], frame);
    case "invite-revoked":
      return call(handlers["invite-revoked"], frame);
    case "reported":
      return call(handlers.reported, frame);
    case "report":
      return call(handlers.report, frame);
    case "report-resolved":
      return call(handlers["report-resolved"], frame);
    case "room-admin":
      return call(handlers["room-admin"], frame);
    case "notify":
      return call(handlers.notify, frame);
    case "search-results":
      return call(handlers["search-results"], frame);
    case "authed":
      return call(handlers.authed, frame);
    case "unknown-event":
      return call(handlers["unknown-event"], frame);
  }
}

function call<F>(handler: ((frame: F) => unknown) | undefined, frame: F): boolean {
  if (!handler) return false;
  handler(frame);
  return true;
}
