import type { ClientFrameType, User } from "@chatroom/protocol";

/** The transport as the chat logic sees it. Room and hub code never touches a socket directly. */
export interface Peer {
  /** Sends one pre-encoded text frame. */
  send(data: string | Buffer): void;
  /** Sends a room's broadcast batch in order; without it, each frame goes through `send`. */
  sendBatch?(batch: OutboundBatch): void;
  close(code: number, reason: string): void;
  /** Bytes queued for this peer that the network has not taken yet. */
  readonly bufferedAmount: number;
  readonly remoteAddress: string;
}

/** Text frames one room fans out in one tick, shared by every recipient. */
export interface OutboundBatch {
  readonly frames: readonly Buffer[];
  /** The transport's wire encoding of `frames`, built by the first recipient and reused by the rest. */
  wire?: Buffer;
}

/** What the transport calls on a connection the hub opened for it. */
export interface ConnectionHandle {
  /** Every text frame, in arrival order. */
  receive(text: string): void;
  /** Binary frames are not part of the protocol. */
  receiveBinary(): void;
  /** The socket is gone. */
  closed(): void;
}

/** Time, injected everywhere so tests can drive it. */
export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const realTimers: Timers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref?.();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ChatLogger {
  info(object: object, message?: string): void;
  warn(object: object, message?: string): void;
  error(object: object, message?: string): void;
}

/**
 * What the chat logic reports to observability. Every call is per frame or per broadcast, never
 * per recipient, so a room of thousands pays for metrics once per message.
 */
export interface ChatMetrics {
  /** A client frame that decoded. */
  frameIn(type: ClientFrameType): void;
  /** A client frame that failed to decode, by `DecodeFailure.reason`. */
  badFrame(reason: string): void;
  rateLimited(): void;
  /** One store write: how long it took and whether it committed. */
  storeWrite(seconds: number, ok: boolean): void;
  /** From the commit of a chat to the last write of its broadcast. */
  fanOut(seconds: number): void;
}

export const noopChatMetrics: ChatMetrics = {
  frameIn() {},
  badFrame() {},
  rateLimited() {},
  storeWrite() {},
  fanOut() {},
};

/**
 * A connection's seat in one room, as the room sees it: who sits there and how to reach them.
 * A connection may hold seats in several rooms; each seat belongs to one.
 */
export interface RoomSeat {
  readonly userId: string;
  /** One frame, fanned out or sent to this seat alone. */
  deliver(data: string | Buffer): void;
  /** A room's batch: one transport call for all its frames. */
  deliverBatch(batch: OutboundBatch): void;
  close(code: number, reason: string): void;
  /** A moderator removed the seat's user (kick, ban): the room has let the seat go already. */
  removed(removal: Removal): void;
  /** A moderator renamed the seat's user: its connection renames it everywhere, as its own `rename` would. */
  renamedBy(name: string): void;
}

/** Why the server took a user out of a room, as `left` tells them. */
export interface Removal {
  reason: "kicked" | "banned";
  by: User;
}
