import type { ClientFrameType } from "@chatroom/protocol";

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
