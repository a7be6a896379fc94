import { randomBytes } from "node:crypto";
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
  /** The key of the HMAC an address ban keeps of an address. */
  readonly addressSecret: string;
}

export interface ChatDepsOptions {
  limits: ChatLimits;
  logger: ChatLogger;
  timers?: Timers;
  metrics?: ChatMetrics;
  ids?: ChatIds;
  /**
   * `ADDRESS_SECRET`, else the one the backend keeps (plugins/chat.ts). Unset here (unit tests): a
   * random one per process.
   */
  addressSecret?: string;
}

export function createChatDeps(options: ChatDepsOptions): ChatDeps {
  return {
    limits: options.limits,
    logger: options.logger,
    timers: options.timers ?? realTimers,
    metrics: options.metrics ?? noopChatMetrics,
    ids: options.ids ?? randomChatIds(),
    codec: createClientCodec(options.limits),
    addressSecret: options.addressSecret ?? randomBytes(32).toString("base64url"),
  };
}
