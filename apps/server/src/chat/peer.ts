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
