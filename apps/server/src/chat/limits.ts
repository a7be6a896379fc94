import type { ProtocolLimits } from "@chatroom/protocol";

/** Every tunable of the chat logic. Defaults live in the config schema. */
export interface ChatLimits extends ProtocolLimits {
  presenceGraceMs: number;
  systemFlushMs: number;
  typingThrottleMs: number;
  typingTimeoutMs: number;
  badFrameLimit: number;
  badFrameWindowMs: number;
  /** Rate-limited frames within `badFrameWindowMs` after which the sender is closed with 4029. */
  floodCloseAfter: number;
  slowConsumerBytes: number;
}
