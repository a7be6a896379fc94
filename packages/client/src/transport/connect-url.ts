/** What a connect URL names: the room, who we are, and where our log of that room ends. */
export interface ConnectParams {
  room: string;
  name?: string | undefined;
  session?: string | undefined;
  /** The seq up to which the tab holds every message it should show: the server resends what came after. */
  since?: number | undefined;
}

/**
 * The one builder of `/ws?room&name&session&since`, for the room's own connection and for the
 * background flush of a room the user left alike, so both resume the same way.
 */
export function connectUrl(endpoint: string, params: ConnectParams): string {
  const query = new URLSearchParams({ room: params.room });
  if (params.name) query.set("name", params.name);
  if (params.session) query.set("session", params.session);
  if (params.since !== undefined) query.set("since", String(params.since));
  return `${endpoint}?${query}`;
}
