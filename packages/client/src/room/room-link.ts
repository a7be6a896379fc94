import type { RoomClientFrame } from "@chatroom/protocol";

type WithoutRoom<T> = T extends unknown ? Omit<T, "room"> : never;

/**
 * The frames a room session sends, without their `room`: its link adds it. Joining and leaving
 * are not among them: the tab's room set decides those.
 */
export type RoomFrame = WithoutRoom<Exclude<RoomClientFrame, { type: "join" | "leave" }>>;

/**
 * All a room session may do with the one connection that carries every room of the tab. The
 * session never owns the socket: the room set implements this port per room. The session is fed
 * the other way: server frames of its room through `receive`, link changes through `linkChanged`.
 */
export interface RoomLink {
  /** Hands a frame of this room to the socket; false when the room cannot take it now (the caller keeps what it must resend). */
  send(frame: RoomFrame): boolean;
  /** The socket is open AND this room's `joined` arrived on it. */
  isOpen(): boolean;
  /** Something suggests the link may be dead (sends went unanswered): check it now. */
  probe(): void;
}
