export const DEFAULT_ROOM = "lobby";

/**
 * Protocol 1 put the room, name, resume point and session token in the `/ws` query. Protocol 2's
 * URL carries nothing (a token in a URL ends up in request logs); a request that still carries
 * any of these is an outdated client, refused with `unsupported_protocol` and close 4505.
 */
export const PROTOCOL_1_QUERY_PARAMS = ["room", "name", "since", "session"] as const;

/** Whether a `/ws` query is a protocol 1 client's. Other parameters (cache busters, tags) are ignored. */
export function isProtocol1Query(query: Record<string, unknown>): boolean {
  return PROTOCOL_1_QUERY_PARAMS.some((param) => Object.hasOwn(query, param));
}
