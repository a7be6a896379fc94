import { type ClientCodec, createClientCodec } from "@chatroom/protocol";
import { type ChatIds, randomChatIds } from "./ids";
import type { ChatLimits } from "./limits";
import { type ChatLogger, type ChatMetrics, noopChatMetrics, realTimers, type Timers } from "./ports";

/** What every part of the chat logic may depend on, built once by the chat plugin. */
export interface ChatDeps {
  readonly limits: ChatLimits;
  readonly timers: Timers;
  readonly logger: ChatLogger;
  readonly metrics: ChatMetrics;
  readonly ids: ChatIds;
  /** Decodes client frames against `limits`. */
  readonly codec: ClientCodec;
}

export interface ChatDepsOptions {
  limits: ChatLimits;
  logger: ChatLogger;
  timers?: Timers;
  metrics?: ChatMetrics;
  ids?: ChatIds;
}

export function createChatDeps(options: ChatDepsOptions): ChatDeps {
  return {
    limits: options.limits,
    logger: options.logger,
    timers: options.timers ?? realTimers,
    metrics: options.metrics ?? noopChatMetrics,
    ids: options.ids ?? randomChatIds(),
    codec: createClientCodec(options.limits),
  };
}
