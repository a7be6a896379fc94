/** The transport as the chat logic sees it. Room and hub code never touches a socket directly. */
export interface Peer {
  /** Sends one pre-encoded text frame. */
  send(data: string | Buffer): void;
  close(code: number, reason: string): void;
  /** Bytes queued for this peer that the network has not taken yet. */
  readonly bufferedAmount: number;
  readonly remoteAddress: string;
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
