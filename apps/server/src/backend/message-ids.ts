import { randomBytes } from "node:crypto";

/**
 * Globally unique message ids without a random draw per message: a per-process random prefix
 * (which also differs between nodes and restarts) plus a counter.
 */
export function createMessageIds(nodeId: string): () => string {
  const prefix = `${nodeId.slice(0, 8)}${randomBytes(4).toString("hex")}`;
  let counter = 0;
  return () => `${prefix}-${(counter++).toString(36)}`;
}
