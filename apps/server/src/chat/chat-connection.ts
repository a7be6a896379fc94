/** The transport glue's import path: `hub.open` returns this handle. */
export type { ConnectionHandle as ChatConnection } from "./ports";
