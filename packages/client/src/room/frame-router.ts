import type { ServerFrame, ServerFrameOf } from "@chatroom/protocol";

/** One handler per server frame type; a listener leaves out the types it has no use for. */
export type FrameHandlers = { [T in ServerFrame["type"]]?: (frame: ServerFrameOf<T>) => unknown };

/**
 * Hands a server frame to the part that owns it. The only `switch` over server frame types in
 * the client: a new frame type is added here and in the parts that read it.
 */
export function routeFrame(frame: ServerFrame, handlers: FrameHandlers): void {
  switch (frame.type) {
    case "welcome":
      handlers.welcome?.(frame);
      break;
    case "chat":
      handlers.chat?.(frame);
      break;
    case "history":
      handlers.history?.(frame);
      break;
    case "ack":
      handlers.ack?.(frame);
      break;
    case "system":
      handlers.system?.(frame);
      break;
    case "typing":
      handlers.typing?.(frame);
      break;
    case "error":
      handlers.error?.(frame);
      break;
    case "pong":
      handlers.pong?.(frame);
      break;
  }
}
