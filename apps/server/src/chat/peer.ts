/** The transport glue's import path for the chat ports; they live in `ports.ts`. */
export type { ChatLogger, OutboundBatch, Peer, Timers } from "./ports";
export { realTimers } from "./ports";
