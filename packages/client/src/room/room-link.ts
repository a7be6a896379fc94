import type { ClientFrame } from "@chatroom/protocol";

/**
 * All a room session may do with the connection it is carried on. The session never owns the
 * socket: today each room has its own `Connection`, and when one connection carries every room of
 * a tab only the side implementing this port changes. The session is fed the other way: server
 * frames through `receive` and connection states through `linkChanged`.
 */
export interface RoomLink {
  /** Hands a frame to an open link; false when none is open (the caller keeps what it must resend). */
  send(frame: ClientFrame): boolean;
  isOpen(): boolean;
  /** Something suggests the link may be dead (sends went unanswered): check it now. */
  probe(): void;
}
